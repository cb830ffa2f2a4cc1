"""Services added, removed, renamed or given another role."""

from __future__ import annotations

from hopper.findings.context import Context


def check(ctx: Context) -> None:
    for pair in ctx.services:
        b, a = pair.before, pair.after
        if b is None and a is not None:
            ctx.emit("HD001", a.name, after=f"{a.name} ({a.role.value})",
                     evidence_after=a)
        elif a is None and b is not None:
            ctx.emit("HD002", b.name, before=f"{b.name} ({b.role.value})",
                     evidence_before=b)
        elif a is not None and b is not None:
            if pair.method != "name":
                method = ("their names without the common prefix" if pair.method == "prefix"
                          else "role (the only one of its kind on each side)")
                ctx.emit("HD003", b.name, before=b.name, after=a.name, aliases=pair.aliases,
                         evidence_before=b, evidence_after=a, method=method)
            if a.role is not b.role:
                ctx.emit("HD004", b.name, before=b.role.value, after=a.role.value,
                         aliases=pair.aliases, evidence_before=b,
                         evidence_after=a)
