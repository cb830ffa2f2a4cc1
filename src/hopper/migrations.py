"""Recognise database migrations and seeds in the commands a setup runs.

Sources hide migrations in many places: a Clever ``CC_POST_BUILD_HOOK``/``CC_PRE_RUN_HOOK``, a
compose ``command: sh -c "npm run migrate && node server.js"``, a package.json ``start`` or
``prestart`` script. On the target they belong in the release step (Fly's ``[deploy]
release_command``, Clever's ``CC_PRE_RUN_HOOK``), which runs once per deploy with the database
reachable — never in an image build step (no database at build time) and never on every start.
Seeds never run on deploy: they are reported, not carried.

:func:`split_command` cuts a shell command at ``&&``/``;`` into the migration part, the seed
part and the rest; a ``npm run <script>`` step is resolved through the package.json scripts, so
``npm run db:setup`` whose script is ``knex migrate:latest`` counts as a migration.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from hopper.diagnostics import Diagnostic, Location, Severity, code, info, warning

I_MIGRATION = code("HOP555", Severity.INFO, "a migration found in a build step, hook or start command becomes the release command")
W_SEED = code("HOP556", Severity.WARNING, "a seed step is not run on deploy")

# Tools and the subcommands that apply migrations (not create or roll them back).
_MIGRATE = [re.compile(p) for p in (
    r"\bprisma\s+migrate\s+deploy\b",
    r"\bprisma\s+db\s+push\b",
    r"\bknex\b.*\bmigrate:(?:latest|up)\b",
    r"\btypeorm\b.*\bmigration:run\b",
    r"\bsequelize(?:-cli)?\b.*\bdb:migrate\b(?!:undo)",
    r"\bdrizzle-kit\s+(?:migrate|push)\b",
    r"\bnode-pg-migrate\b(?:\s+up\b|\s*$)",
    r"\bdb-migrate\s+up\b",
    r"\bumzug\b",
    r"\bmanage\.py\s+migrate\b",
    r"\balembic\s+upgrade\b",
    r"\brails\s+db:migrate\b|\brake\s+db:migrate\b",
    r"\bartisan\s+migrate\b(?!:)",
    r"\bmix\s+ecto\.migrate\b",
    r"\bflyway\b.*\bmigrate\b",
    r"\bgoose\b.*\bup\b",
)]
_SEED = [re.compile(p) for p in (
    r"\bprisma\s+db\s+seed\b",
    r"\bknex\b.*\bseed:run\b",
    r"\bsequelize(?:-cli)?\b.*\bdb:seed\b",
    r"\bmanage\.py\s+loaddata\b",
    r"\brails\s+db:seed\b|\brake\s+db:seed\b",
    r"\bartisan\s+db:seed\b|\bartisan\s+migrate\b.*--seed\b",
)]
# A script named migrate or seed counts only where it is run: in command position (after the
# package runners) or as the program an interpreter or task runner is given. As an argument to
# anything else it is data — `ncc build migrate.ts` compiles the file, it migrates nothing.
_RUNNERS = ("npx", "bunx", "exec", "dlx", "yarn", "pnpm", "npm", "run")
_INTERPRETERS = ("node", "tsx", "ts-node", "bun", "deno", "sh", "bash", "python", "python3", "nx", "turbo")
_SCRIPT_FILE = {kind: re.compile(rf"^(?:.*/)?{kind}(?:\.(?:js|mjs|cjs|ts|sh|py))?$")
                for kind in ("migrate", "seed")}


def _runs_script_named(text: str, kind: str) -> bool:
    """Whether ``text`` executes a script called ``migrate``/``seed`` (./scripts/migrate.sh,
    ``node dist/migrate.js``, ``yarn nx migrate server``)."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    words = [w for w in words if "=" not in w or w.startswith("-")]  # env assignments before it
    while words and (words[0] in _RUNNERS or words[0] == "env"):
        words = words[1:]
    if not words:
        return False
    if _SCRIPT_FILE[kind].match(words[0]):
        return True
    if words[0].rsplit("/", 1)[-1] in _INTERPRETERS:
        program = next((w for w in words[1:] if not w.startswith("-")), None)
        return program is not None and bool(_SCRIPT_FILE[kind].match(program))
    return False
# `npm run x`, `npm x` (start/test only), `yarn x`, `yarn run x`, `pnpm [run] x`, `bun run x`.
_RUN_SCRIPT = re.compile(r"^(?:npm|pnpm|yarn|bun)(?:\s+--?[\w-]+(?:=\S+)?)*\s+(?:run(?:-script)?\s+)?(?P<script>[\w:.@/-]+)")
_SCRIPT_NAMES_MIGRATE = re.compile(r"^(?:db[:.-])?migrat(?:e|ions?)(?:[:.-](?:deploy|up|latest|run|prod))?$")
_SCRIPT_NAMES_SEED = re.compile(r"^(?:db[:.-])?seeds?(?:[:.-]\w+)?$")
_SHELLS = ("sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env")


@dataclass(frozen=True, slots=True)
class Split:
    migrate: str | None  # the steps that apply migrations, joined with " && "
    rest: str | None  # what remains of the command, in order
    seeds: tuple[str, ...] = ()  # seed steps, left out


def _kind(step: str, scripts: Mapping[str, str], depth: int = 0) -> str:
    """``migrate``, ``seed`` or ``other`` for one simple command."""
    text = step.strip()
    run = _RUN_SCRIPT.match(text)
    if run is not None:
        name = run.group("script")
        body = scripts.get(name)
        if body is not None and depth < 3:
            kinds = {_kind(part, scripts, depth + 1) for part in _steps(body)}
            if "migrate" in kinds and kinds <= {"migrate", "seed"}:
                return "migrate" if "seed" not in kinds else "mixed"
            if kinds == {"seed"}:
                return "seed"
            if "migrate" in kinds or "seed" in kinds:
                return "mixed"
            return "other"
        if _SCRIPT_NAMES_MIGRATE.match(name):
            return "migrate"
        if _SCRIPT_NAMES_SEED.match(name):
            return "seed"
        # An unknown script or a tool run through the package manager (`yarn nx migrate
        # server`, `npx prisma migrate deploy`): judge the words themselves.
    if any(p.search(text) for p in _SEED) or _runs_script_named(text, "seed"):
        return "seed"
    if any(p.search(text) for p in _MIGRATE) or _runs_script_named(text, "migrate"):
        return "migrate"
    return "other"


def _steps(command: str) -> list[str]:
    """The simple commands of a ``&&``/``;`` chain (quotes respected)."""
    out: list[str] = []
    current = ""
    quote = ""
    i = 0
    while i < len(command):
        char = command[i]
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current += char
        elif command.startswith("&&", i) or char == ";":
            out.append(current.strip())
            current = ""
            i += 2 if char == "&" else 1
            continue
        else:
            current += char
        i += 1
    out.append(current.strip())
    return [s for s in out if s]


def unwrap_shell(words: tuple[str, ...] | list[str]) -> str | None:
    """The script of ``sh -c '<script>'`` (or ``bash -c``), else None."""
    items = list(words)
    if items[:1] == ["/usr/bin/env"]:
        items = items[1:]
    if len(items) >= 3 and items[0] in _SHELLS and items[1] in ("-c", "-ec", "-lc", "-euc"):
        return items[2]
    return None


def split_command(command: str, scripts: Mapping[str, str] | None = None) -> Split:
    """Cut ``command`` into its migration steps, seed steps and the rest."""
    scripts = scripts or {}
    migrate: list[str] = []
    rest: list[str] = []
    seeds: list[str] = []
    for step in _steps(command):
        kind = _kind(step, scripts)
        if kind == "migrate":
            migrate.append(step)
        elif kind == "seed":
            seeds.append(step)
        elif kind == "mixed":
            # A script that migrates and seeds: the migration must run, the seed must not;
            # hopper cannot cut inside the script, so it is carried whole and reported.
            migrate.append(step)
            seeds.append(step)
        else:
            rest.append(step)
    return Split(migrate=" && ".join(migrate) or None, rest=" && ".join(rest) or None, seeds=tuple(seeds))


def is_migration(command: str, scripts: Mapping[str, str] | None = None) -> bool:
    return split_command(command, scripts).migrate is not None


def split_words(words: tuple[str, ...], scripts: Mapping[str, str] | None = None) -> tuple[Split, tuple[str, ...]]:
    """Like :func:`split_command` for a command in exec form. Returns the split and the command
    that remains, in exec form: ``sh -c '<rest>'`` when the command was a shell script (the
    rest alone when it is one simple command), the words unchanged when nothing was cut."""
    script = unwrap_shell(words)
    if script is None:
        joined = " ".join(words)
        if "&&" not in words and ";" not in words:
            found = split_command(joined, scripts)
            if found.migrate and not found.rest:
                return found, ()
            return Split(migrate=None, rest=joined), words
        script = joined
    found = split_command(script, scripts)
    if found.migrate is None and not found.seeds:
        return found, words
    if found.rest is None:
        return found, ()
    try:
        simple = shlex.split(found.rest)
    except ValueError:
        simple = []
    if simple and not any(c in found.rest for c in "&|;<>$`*?(){}"):
        return found, tuple(simple)
    return found, ("sh", "-c", found.rest)


def carry_migration(what: str, words: tuple[str, ...], scripts: Mapping[str, str] | None,
                    where: Location | None, out: list[Diagnostic]) -> tuple[str | None, tuple[str, ...]]:
    """``(release command, remaining command)`` for a command in exec form that migrates,
    with an info for the move and a warning for each seed left out; ``(None, words)`` when the
    command does not migrate."""
    found, remaining = split_words(words, scripts)
    if found.migrate is None:
        return None, words
    out.append(info(I_MIGRATION, f"{what} runs the migration '{found.migrate}'; it becomes the release "
                    "command (once per deploy, before the new version starts)", where))
    report_seeds(what, found, where, out)
    return found.migrate, remaining


def report_seeds(what: str, found: Split, where: Location | None, out: list[Diagnostic]) -> None:
    for seed in found.seeds:
        mixed = seed == found.migrate or (found.migrate is not None and seed in found.migrate.split(" && "))
        detail = ("runs migrations and seeds in one script; it is carried as the release command, "
                  "so the seed runs on every deploy") if mixed else "is left out: seeds never run on deploy"
        out.append(warning(W_SEED, f"{what}: seed step '{seed}' {detail}", where,
                           hint="seed once by hand against the new database, or split the script so "
                           "the release command only migrates"))
