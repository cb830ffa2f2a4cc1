"""Environment variants of a Fly app: which of ``fly.toml``, ``fly.staging.toml``,
``fly.production.toml``... hopper reads.

Teams keep one config per environment next to each other (``fly deploy -c fly.staging.toml``),
and monorepos keep one config per app (``fly.api.toml``, ``fly.web.toml``). The file names do
not tell the two apart reliably, so hopper compares what the configs build and run: configs in
one folder that build the same thing (Dockerfile, target, image, builder) and run the same
commands are variants of one app, and so are configs that build the same thing and are all named
after an environment (``staging``, ``review``...). Everything else is a separate app.

Of each app's variants hopper reads one: the one named with ``--variant``; else ``fly.toml``,
then ``fly.production.toml``/``fly.prod.toml``, then the only one; otherwise it refuses and lists
them. The others are reported, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hopper.diagnostics import (
    Diagnostic,
    HopperError,
    InputError,
    Limits,
    Location,
    Severity,
    code,
    error,
    info,
    warning,
)
from hopper.formats.fly.config_names import FLY_CONFIG_NAMES, variant_of
from hopper.formats.fly.flytoml import read_fly_config

W_VARIANT_ASSUMED = code("HOP374", Severity.WARNING,
                         "several environment variants of one app; hopper read one by its default order")
E_VARIANT = code("HOP375", Severity.ERROR,
                 "the environment variant to read cannot be chosen (pass --variant NAME)")
I_VARIANT_CHOSEN = code("HOP376", Severity.INFO, "the environment variant --variant chose, and the ones left out")

# Words that name an environment rather than an app (a token of the variant name).
ENVIRONMENT_WORDS = frozenset({
    "production", "prod", "prd", "live", "main", "master", "release", "staging", "stage", "stg",
    "preprod", "pre", "preview", "previews", "review", "reviews", "pr", "dev", "develop",
    "development", "test", "testing", "qa", "uat", "demo", "sandbox", "beta", "alpha", "canary",
    "next", "local", "example", "sample", "template", "default", "ci", "e2e", "int", "integration",
})
PRODUCTION = ("production", "prod")
_DOCKERFILE_SUFFIXED = re.compile(r"^(?:Dockerfile|Containerfile)[._-](?P<env>.+)$|^(?P<env2>.+)[._-](?:Dockerfile|Containerfile)$",
                                  re.IGNORECASE)


def environment_like(variant: str | None) -> bool:
    """The plain ``fly.toml`` and names made of environment words (``review-app``, ``prod-eu``)."""
    if variant is None:
        return True
    tokens = [t for t in re.split(r"[._-]+", variant.lower()) if t]
    return any(t in ENVIRONMENT_WORDS for t in tokens)


@dataclass(frozen=True)
class Candidate:
    path: Path
    shown: str  # relative to the root
    variant: str | None  # None for fly.toml/fly.json/fly.yaml
    builds: tuple[Any, ...] | None  # None when the config does not load: an app of its own
    runs: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Choice:
    configs: tuple[Path, ...]
    # shown path of each config read that has variants (or is itself a named variant) -> its name
    variants: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]


def choose(found: dict[str, Path], root: Path, limits: Limits, variant: str | None) -> Choice:
    """The configs to read among ``found`` (shown path -> path), one per app."""
    paths_by_folder: dict[str, list[tuple[str, Path]]] = {}
    for shown, path in sorted(found.items()):
        paths_by_folder.setdefault(PurePosixPath(shown).parent.as_posix(), []).append((shown, path))
    by_folder: dict[str, list[Candidate]] = {}
    for folder, paths in paths_by_folder.items():
        # A folder with one config has nothing to choose: it is not loaded twice.
        by_folder[folder] = [_candidate(shown, path, limits) if len(paths) > 1 else
                             Candidate(path=path, shown=shown, variant=_name_of(path), builds=None)
                             for shown, path in paths]
    chosen: list[str] = []
    names: dict[str, str] = {}
    diags: list[Diagnostic] = []
    seen_variants: set[str] = set()
    wanted_found = False
    groups_with_choice: list[list[Candidate]] = []
    for folder in sorted(by_folder):
        for group in _groups(by_folder[folder]):
            if len(group) == 1:
                only = group[0]
                chosen.append(only.shown)
                if only.variant is not None:
                    names[only.shown] = only.variant
                    seen_variants.add(only.variant)
                    wanted_found = wanted_found or _same(only.variant, variant)
                continue
            groups_with_choice.append(group)
            seen_variants.update(c.variant or "fly.toml" for c in group)
            wanted_found = wanted_found or any(_same(c.variant, variant) for c in group)
    if variant is not None and not wanted_found:
        listed = ", ".join(sorted(seen_variants)) or "none"
        raise InputError(error(E_VARIANT, f"no Fly config for the variant '{variant}' (variants seen: {listed})",
                               Location(file="."),
                               hint="pass --variant with one of the variants seen, or read a config file directly"))
    for group in groups_with_choice:
        pick, how = _pick(group, variant)
        others = [c for c in group if c is not pick]
        chosen.append(pick.shown)
        if pick.variant is not None:
            names[pick.shown] = pick.variant
        left = ", ".join(c.shown for c in others)
        where = Location(file=pick.shown)
        if how == "asked":
            diags.append(info(I_VARIANT_CHOSEN, f"read {pick.shown} (--variant {variant}); left out the "
                              f"other environment variant(s) of this app: {left}", where))
        else:
            extra = (f"there is no '{variant}' variant for this app; " if variant is not None else "")
            diags.append(warning(W_VARIANT_ASSUMED, f"{extra}read {pick.shown} ({how}); left out the other "
                                 f"environment variant(s) of this app: {left}", where,
                                 hint="pass --variant " + "|".join(sorted(c.variant for c in others if c.variant))
                                 + " to read another" if any(c.variant for c in others) else None))
    return Choice(configs=tuple(found[s] for s in sorted(chosen)), variants=names,
                  diagnostics=tuple(diags))


def _same(name: str | None, wanted: str | None) -> bool:
    return name is not None and wanted is not None and name.lower() == wanted.lower()


def _pick(group: list[Candidate], variant: str | None) -> tuple[Candidate, str]:
    if variant is not None:
        for candidate in group:
            if _same(candidate.variant, variant):
                return candidate, "asked"
    for candidate in group:
        if candidate.variant is None:
            return candidate, "the plain config comes first"
    for name in PRODUCTION:
        for candidate in group:
            if candidate.variant is not None and candidate.variant.lower() == name:
                return candidate, "production comes first when there is no fly.toml"
    folder = PurePosixPath(group[0].shown).parent.as_posix()
    listed = ", ".join(c.shown for c in group)
    raise InputError(error(
        E_VARIANT, f"{folder if folder != '.' else 'the project'} has several environment variants of one "
        f"app and neither fly.toml nor fly.production.toml: {listed}", Location(file=group[0].shown),
        hint="pass --variant " + "|".join(sorted(c.variant or "" for c in group)) + " to choose one"))


def _groups(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Candidates of one folder, grouped into apps (see the module docstring)."""
    parent = list(range(len(candidates)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(candidates):
        for j in range(i + 1, len(candidates)):
            if _same_app(a, candidates[j]):
                parent[find(j)] = find(i)
    out: dict[int, list[Candidate]] = {}
    for i, candidate in enumerate(candidates):
        out.setdefault(find(i), []).append(candidate)
    return [sorted(g, key=lambda c: c.shown) for g in out.values()]


def _same_app(a: Candidate, b: Candidate) -> bool:
    if a.builds is None or b.builds is None or a.builds != b.builds:
        return False
    if a.runs == b.runs:
        return True
    return environment_like(a.variant) and environment_like(b.variant)


def _name_of(path: Path) -> str | None:
    # A config a workflow deploys may have any name (deploy/app.toml): its stem names it.
    return None if path.name in FLY_CONFIG_NAMES else (variant_of(path.name) or path.stem)


def _candidate(shown: str, path: Path, limits: Limits) -> Candidate:
    name = _name_of(path)
    try:
        config = read_fly_config(path, shown, limits)
    except HopperError:
        return Candidate(path=path, shown=shown, variant=name, builds=None)
    data = config.data
    if not data:
        return Candidate(path=path, shown=shown, variant=name, builds=None)
    raw = data.get("build")
    build: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return Candidate(path=path, shown=shown, variant=name,
                     builds=_build_key(build, name), runs=_run_key(data))


def _build_key(build: dict[str, Any], variant: str | None) -> tuple[Any, ...]:
    """What a config builds. ``Dockerfile.staging`` next to ``Dockerfile.production`` (each
    named by its environment's config) counts as the same Dockerfile; image tags are ignored."""
    dockerfile = str(build.get("dockerfile") or "Dockerfile")
    path = PurePosixPath(dockerfile.lstrip("./") if dockerfile.startswith("./") else dockerfile)
    match = _DOCKERFILE_SUFFIXED.match(path.name)
    if match is not None:
        env = (match.group("env") or match.group("env2") or "").lower()
        if (variant is not None and env == variant.lower()) or environment_like(env):
            path = path.with_name("Dockerfile")
    image = build.get("image")
    if isinstance(image, str):
        image = re.sub(r"(@sha256:[0-9a-f]+|:[^/:]+)$", "", image)
    compose = build.get("compose")
    return (path.as_posix() if not image or build.get("dockerfile") else None, build.get("build-target"),
            image, build.get("builder"), tuple(build.get("buildpacks") or ()),
            bool(compose) or compose == {})


def _run_key(data: dict[str, Any]) -> tuple[Any, ...]:
    processes = data.get("processes") or {}
    commands = sorted(str(c) for c in processes.values()) if isinstance(processes, dict) else []
    raw = data.get("experimental")
    experimental: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return (tuple(commands),) + tuple(_words(experimental.get(k)) for k in ("cmd", "entrypoint", "exec"))


def _words(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),) if value else ()

