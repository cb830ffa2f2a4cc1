"""PostgreSQL (version, plan, HA, backups), object storage (provider, endpoint, public buckets),
persistent volumes, and the reminder that data does not move by itself."""

from __future__ import annotations

import re
from typing import Any

from hopper.findings.capabilities import edge
from hopper.findings.context import Context
from hopper.model import Bucket, Database, ObjectStore, Service, VolumeKind

_MAJOR = re.compile(r"^\s*(\d+)")


def major(version: str | None) -> int | None:
    m = _MAJOR.match(version or "")
    return int(m.group(1)) if m else None


def db_label(db: Database) -> str:
    text = f"{db.engine} {db.version}" if db.version else db.engine
    return f"{text} ({db.plan})" if db.plan else text


def _size_label(db: Database) -> str:
    parts = []
    if db.cpus is not None:
        parts.append(f"{db.cpus:g} CPU" + ("s" if db.cpus != 1 else ""))
    if db.memory_mb is not None:
        parts.append(f"{db.memory_mb} MB")
    if db.disk_gb is not None:
        parts.append(f"{db.disk_gb} GB disk")
    size = ", ".join(parts)
    if db.plan:
        return f"{db.plan} ({size})" if size else db.plan
    return size or "(not stated)"


def check(ctx: Context) -> None:
    for pair in ctx.databases:
        b, a = pair.before, pair.after
        if b is None and a is not None:
            ctx.emit("HD601", a.name, kind="database", after=db_label(a), evidence_after=a)
        elif a is None and b is not None:
            ctx.emit("HD602", b.name, kind="database", before=db_label(b), evidence_before=b)
        elif a is not None and b is not None:
            _database(ctx, pair.name, pair.aliases, b, a)
    for spair in ctx.stores:
        sb, sa = spair.before, spair.after
        if sb is None and sa is not None:
            ctx.emit("HD611", sa.name, kind="object_store", after=sa.provider,
                     evidence_after=sa)
        elif sa is None and sb is not None:
            ctx.emit("HD612", sb.name, kind="object_store", before=sb.provider,
                     evidence_before=sb)
        elif sa is not None and sb is not None:
            _store(ctx, spair.name, spair.aliases, sb, sa)
    for _, b_svc, a_svc in ctx.paired_services():
        _volumes(ctx, b_svc, a_svc)


def _database(ctx: Context, name: str, aliases: tuple[str, ...], b: Database,
              a: Database) -> None:
    ev: dict[str, Any] = {"evidence_before": b, "evidence_after": a,
                          "aliases": aliases, "kind": "database"}
    vb, va = major(b.version), major(a.version)
    if vb is not None and va is not None and vb != va:
        ctx.emit("HD603" if va > vb else "HD604", name, before=str(vb), after=str(va), **ev)
    size_b = (b.plan, b.cpus, b.memory_mb)
    size_a = (a.plan, a.cpus, a.memory_mb)
    if size_b != size_a and any(v is not None for v in (*size_b, *size_a)):
        ctx.emit("HD605", name, before=_size_label(b), after=_size_label(a), **ev)
    if b.disk_gb is not None and a.disk_gb is not None and a.disk_gb < b.disk_gb:
        ctx.emit("HD606", name, before=f"{b.disk_gb} GB", after=f"{a.disk_gb} GB", **ev)
    if b.high_availability is True and a.high_availability is False:
        ctx.emit("HD607", name, before="HA", after="single node", **ev)
    elif not b.high_availability and a.high_availability is True:
        ctx.emit("HD608", name, before="single node", after="HA", **ev)
    if b.backups is True and a.backups is False:
        ctx.emit("HD609", name, before="backups on", after="no backups", **ev)
    if ctx.platform_changes:
        ctx.emit("HD610", name, before=f"{b.engine} on {ctx.before_platform}",
                 after=f"{a.engine} on {ctx.after_platform}", what="database",
                 remedy="Dump the source (pg_dump -Fc), restore into the target (pg_restore), "
                        "compare row counts, and keep the source read-only during the switch.",
                 **ev)


def _store(ctx: Context, name: str, aliases: tuple[str, ...], b: ObjectStore,
           a: ObjectStore) -> None:
    ev: dict[str, Any] = {"evidence_before": b, "evidence_after": a,
                          "aliases": aliases, "kind": "object_store"}
    if b.provider != a.provider:
        ctx.emit("HD613", name, before=b.provider, after=a.provider, **ev)
    elif b.endpoint and a.endpoint and b.endpoint != a.endpoint:
        ctx.emit("HD614", name, before=b.endpoint, after=a.endpoint, **ev)
    if ctx.platform_changes:
        ctx.emit("HD610", name, before=f"{b.provider} on {ctx.before_platform}",
                 after=f"{a.provider} on {ctx.after_platform}", what="object store",
                 remedy=edge(ctx.after_platform).object_copy, **ev)
    for bb, ba in _pair_buckets(b.buckets, a.buckets):
        either = bb if bb is not None else ba
        assert either is not None
        label = f"{name}/{either.name}"
        evb: dict[str, Any] = {"evidence_before": (bb, b), "evidence_after": (ba, a),
               "aliases": aliases, "kind": "object_store", "bucket": label}
        if bb is None and ba is not None:
            ctx.emit("HD617", label, after=_public(ba), **evb)
        elif ba is None and bb is not None:
            ctx.emit("HD618", label, before=_public(bb), **evb)
        elif bb is not None and ba is not None and bb.public != ba.public:
            ctx.emit("HD615" if bb.public else "HD616", label, before=_public(bb),
                     after=_public(ba), **evb)


def _public(bucket: Bucket) -> str:
    return "public" if bucket.public else "private"


def _pair_buckets(before: tuple[Bucket, ...], after: tuple[Bucket, ...]
                  ) -> list[tuple[Bucket | None, Bucket | None]]:
    by_name = {x.name: x for x in after}
    pairs: list[tuple[Bucket | None, Bucket | None]] = []
    left: list[Bucket] = []
    for bucket in before:
        match = by_name.pop(bucket.name, None)
        if match is None:
            left.append(bucket)
        else:
            pairs.append((bucket, match))
    rest = list(by_name.values())
    if len(left) == 1 and len(rest) == 1:  # renamed with the platform (prefix), same bucket
        pairs.append((left.pop(), rest.pop()))
    pairs.extend((x, None) for x in left)
    pairs.extend((None, x) for x in rest)
    return pairs


def _volumes(ctx: Context, b: Service, a: Service) -> None:
    persistent_b = {v.target: v for v in b.volumes if v.kind is VolumeKind.NAMED}
    persistent_a = {v.target: v for v in a.volumes if v.kind is VolumeKind.NAMED}
    for target in sorted(set(persistent_b) - set(persistent_a)):
        v = persistent_b[target]
        ctx.emit("HD619", b.name, before=f"{v.name} -> {target}", evidence_before=(v, b),
                 evidence_after=a, aliases=(b.name, a.name), target=target)
    for target in sorted(set(persistent_a) - set(persistent_b)):
        v = persistent_a[target]
        ctx.emit("HD620", b.name, after=f"{v.name} -> {target}", evidence_before=b,
                 evidence_after=(v, a), aliases=(b.name, a.name), target=target)
