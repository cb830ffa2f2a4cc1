"""Role detection: what each compose service is, and why hopper thinks so.

A service is classified from, in order: an ``x-hopper.role`` hint; its image (rules in
``mappings/images.toml``); the final stage of its Dockerfile (``FROM nginx``, ``FROM node``); a
``package.json`` in its build context; a command that creates buckets. Every decision comes with
a reason that the reader reports as an info diagnostic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopper import mappings
from hopper.diagnostics import Limits, Location
from hopper.shared.dockerfile import Dockerfile, parse_dockerfile, read_dockerfile
from hopper.shared.nodeproject import NodeProject, read_node_project

# What a service can be detected as. "database", "object_store" and "bucket_init" become backing
# resources; the others become services with the role of the same name.
KINDS = ("front", "api", "worker", "database", "object_store", "bucket_init", "generic")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """``registry/path:tag@digest`` taken apart; ``path`` has ``library/`` removed."""

    registry: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def version(self) -> str | None:
        """The leading version number of the tag: ``16-alpine`` → ``16``, ``20.11.1`` → ``20.11.1``."""
        if not self.tag:
            return None
        m = re.match(r"v?(\d+(?:\.\d+)*)", self.tag)
        return m.group(1) if m else None

    @property
    def major(self) -> str | None:
        version = self.version
        return version.split(".", 1)[0] if version else None


def parse_image(image: str) -> ImageRef:
    rest, _, digest = image.partition("@")
    registry = None
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    tag = None
    name = rest
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        name, tag = rest[:colon], rest[colon + 1:]
    if name.startswith("library/"):
        name = name[len("library/"):]
    return ImageRef(registry=registry, path=name.lower(), tag=tag, digest=digest or None)


@dataclass(frozen=True, slots=True)
class ImageRule:
    role: str  # "postgres", "object_store", "nginx", "node", "bucket_init"
    provider: str | None
    matched: str  # the rule name that matched


def image_rule(image: str) -> ImageRule | None:
    """The first rule of ``mappings/images.toml`` that matches the image, if any."""
    ref = parse_image(image)
    candidates = [ref.path]
    if ref.registry:
        candidates.insert(0, f"{ref.registry}/{ref.path}")
    for rule in mappings.table("images").get("rule", []):
        for candidate in candidates:
            names = rule.get("names", [])
            if candidate in names:
                return ImageRule(rule["role"], rule.get("provider"), candidate)
            prefix = rule.get("prefix")
            if isinstance(prefix, str) and candidate.startswith(prefix):
                return ImageRule(rule["role"], rule.get("provider"), prefix + "*")
            suffix = rule.get("suffix")
            if isinstance(suffix, str) and candidate.endswith(suffix):
                return ImageRule(rule["role"], rule.get("provider"), "*" + suffix)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildFacts:
    """What the service's build context says: its Dockerfile and Node project, when present."""

    context: Path | None = None  # absolute
    dockerfile: Dockerfile | None = None
    node: NodeProject | None = None


def build_facts(svc: dict[str, Any], root: Path, limits: Limits) -> BuildFacts:
    build = svc.get("build")
    if not isinstance(build, dict):
        return BuildFacts()
    context_text = build.get("context") or "."
    if "://" in str(context_text) or str(context_text).startswith("git@"):
        return BuildFacts()  # a remote context is never fetched; the reader warns about it
    context = (root / str(context_text)).resolve()
    if not context.is_relative_to(root.resolve()) or not context.is_dir():
        return BuildFacts()
    args = {str(k): str(v) for k, v in (build.get("args") or {}).items() if v is not None}
    dockerfile: Dockerfile | None = None
    inline = build.get("dockerfile_inline")
    if isinstance(inline, str):
        dockerfile = parse_dockerfile(inline, file=f"{_rel(context, root)}/<dockerfile_inline>",
                                      build_args=args)
    else:
        name = str(build.get("dockerfile") or "Dockerfile")
        path = context / name
        if path.is_file() or path.is_symlink():
            dockerfile = read_dockerfile(path, root, limits, build_args=args)
    target = build.get("target")
    if dockerfile is not None and isinstance(target, str) and dockerfile.stage(target) is not None:
        # Building a target stops at that stage: later stages do not exist for this service.
        stage = dockerfile.stage(target)
        assert stage is not None
        dockerfile = Dockerfile(file=dockerfile.file, global_args=dockerfile.global_args,
                                stages=dockerfile.stages[: stage.index + 1])
    node = read_node_project(context, root, limits)
    return BuildFacts(context=context, dockerfile=dockerfile, node=node)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root.resolve()).as_posix() or "."


@dataclass(frozen=True, slots=True, kw_only=True)
class Detection:
    kind: str  # one of KINDS
    reason: str  # "image postgres:16", "Dockerfile FROM nginx:1.27-alpine"...
    provider: str | None = None  # object stores: "minio"...
    base_image: str | None = None  # the image the decision rests on (service image or FROM)


_BUCKET_COMMANDS = re.compile(r"\bmc\s+mb\b|\bs3\s+mb\b|\bs3api\s+create-bucket\b|\bawslocal\s+s3\s+mb\b")
_HTTP_HINTS = ("express", "fastify", "koa", "@hapi/hapi", "hapi", "@nestjs/core", "next", "nuxt",
               "@remix-run/serve", "hono", "restify", "apollo-server", "@apollo/server", "polka")


def classify(name: str, svc: dict[str, Any], facts: BuildFacts, *, hint_role: str | None,
             hint_loc: Location | None = None) -> Detection:
    """The kind of a service, with the reason."""
    if hint_role is not None:
        return Detection(kind=hint_role, reason=f"x-hopper.role is '{hint_role}'",
                         base_image=_image_or_from(svc, facts))
    image = svc.get("image")
    final = facts.dockerfile.final if facts.dockerfile is not None else None
    rule = image_rule(image) if isinstance(image, str) and facts.dockerfile is None else None
    reason_source = f"image {image}" if rule else None
    if rule is None and final is not None:
        rule = image_rule(final.image)
        reason_source = f"{facts.dockerfile.file if facts.dockerfile else 'Dockerfile'} FROM {final.image}"
    if rule is None and isinstance(image, str) and facts.dockerfile is not None:
        rule = image_rule(image)
        reason_source = f"image {image}"
    base = _image_or_from(svc, facts)
    if rule is not None and reason_source is not None:
        if rule.role == "postgres":
            return Detection(kind="database", reason=reason_source, base_image=base)
        if rule.role == "object_store":
            return Detection(kind="object_store", reason=reason_source, provider=rule.provider,
                             base_image=base)
        if rule.role == "bucket_init":
            return Detection(kind="bucket_init", reason=reason_source, base_image=base)
        if rule.role == "nginx":
            return Detection(kind="front", reason=reason_source, base_image=base)
        if rule.role == "node":
            return _node_kind(svc, facts, reason_source, base)
    if _creates_buckets(svc):
        return Detection(kind="bucket_init", reason="its command creates buckets", base_image=base)
    if facts.node is not None:
        where = facts.node.location.file
        return _node_kind(svc, facts, f"build context has {where}", base)
    return Detection(kind="generic", reason=f"image {image}" if image else "no image or build hopper knows",
                     base_image=base)


def _image_or_from(svc: dict[str, Any], facts: BuildFacts) -> str | None:
    if facts.dockerfile is not None:
        return facts.dockerfile.final.image
    image = svc.get("image")
    return image if isinstance(image, str) else None


def _node_kind(svc: dict[str, Any], facts: BuildFacts, reason: str, base: str | None) -> Detection:
    """A Node service is an API when something says it listens, a worker otherwise."""
    listens = _listening_evidence(svc, facts)
    if listens is not None:
        return Detection(kind="api", reason=f"{reason}; {listens}", base_image=base)
    return Detection(kind="worker", reason=f"{reason}; no port published, exposed or set in PORT",
                     base_image=base)


def _listening_evidence(svc: dict[str, Any], facts: BuildFacts) -> str | None:
    if svc.get("ports"):
        return "it publishes a port"
    if svc.get("expose"):
        return "it exposes a port"
    env = svc.get("environment") or {}
    if isinstance(env, dict) and env.get("PORT"):
        return "PORT is set"
    if facts.dockerfile is not None and facts.dockerfile.final.expose:
        return "its Dockerfile has EXPOSE"
    if facts.node is not None:
        http = sorted(set(_HTTP_HINTS).intersection(facts.node.dependencies))
        if http:
            return f"it depends on {http[0]}"
    return None


def command_text(svc: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in ("entrypoint", "command"):
        value = svc.get(key)
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif isinstance(value, str):
            parts.append(value)
    return " ".join(parts)


def _creates_buckets(svc: dict[str, Any]) -> bool:
    return bool(_BUCKET_COMMANDS.search(command_text(svc)))
