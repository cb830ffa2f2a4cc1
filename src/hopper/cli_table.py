"""Every command, argument and option of the command line, as data: the one place to add one.

Two parsers are built from this table and must agree (tests/core/test_cli_table.py checks it
on every command, option, choice and default):

* the lean dispatcher (``hopper.cli_parse``), which runs every ordinary command line without
  importing typer or click (they cost ~130 ms of CPU before the command starts);
* the typer application (``hopper.cli_typer``), which renders help, docs/cli.md and every
  usage error, and takes over whatever the lean dispatcher does not recognise.

To add an option: add a ``Param`` to the command's tuple below, then read it by its ``name`` in
the command's function in ``hopper.cli``. To add a choice: add a member to the enum. Then
regenerate the pre-rendered help (``HOPPER_UPDATE_GOLDEN=1 pytest tests/perf``) and docs/cli.md
(``scripts/gen-cli-docs``).

This module is imported on every command and every ``--help``: it imports nothing but ``enum``
and the format registry (``hopper.formats``: no format library; not even ``pathlib`` here:
``FsPath`` stands for ``pathlib.Path`` in the table).
"""

from __future__ import annotations

from enum import StrEnum

from hopper.formats import FORMAT_NAMES

TYPE_CHECKING = False  # not typing's: importing typing costs every --help a few ms


class FsPath:
    """In the table, a value that is a file or folder: commands receive a ``pathlib.Path``."""


if TYPE_CHECKING:
    class SourceFormat(StrEnum):
        """The registered formats (hopper.formats), in their listing order."""
else:
    SourceFormat = StrEnum("SourceFormat", {name: name for name in FORMAT_NAMES})


class InspectFormat(StrEnum):
    text = "text"
    yaml = "yaml"
    json = "json"
    mermaid = "mermaid"


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"
    sarif = "sarif"


class ValidateFormat(StrEnum):
    text = "text"
    sarif = "sarif"


class FailOn(StrEnum):
    warning = "warning"
    breaking = "breaking"


def choices(enum: type[StrEnum]) -> str:
    """One placeholder style in help: UPPER-CASE names for values, [a|b] for a choice."""
    return "[" + "|".join(m.value for m in enum) + "]"


class Param:
    """One argument or option.

    ``name`` is the keyword the command's function receives. ``type`` is ``str``, ``int``,
    ``FsPath``, ``bool`` (a flag) or a ``StrEnum`` (a choice). An option without ``default`` and
    with ``required`` must be given; an argument is always required. ``multiple`` options
    collect a list (``None`` when never given). ``secondary`` is a flag's ``--no-...`` form.
    """

    __slots__ = ("decls", "default", "help", "is_argument", "metavar", "min", "multiple", "name",
                 "required", "secondary", "type")

    def __init__(self, name: str, decls: tuple[str, ...], type: type, help: str, *,  # noqa: A002
                 default: object = None, metavar: str | None = None, multiple: bool = False,
                 required: bool = False, min: int | None = None,  # noqa: A002
                 secondary: tuple[str, ...] = (), is_argument: bool = False) -> None:
        self.name = name
        self.decls = decls
        self.type = type
        self.help = help
        self.default = default
        self.metavar = metavar
        self.multiple = multiple
        self.required = required or is_argument
        self.min = min
        self.secondary = secondary
        self.is_argument = is_argument

    @property
    def takes_value(self) -> bool:
        return self.type is not bool

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"Param({fields})"


class Command:
    """One subcommand: its parameters in help order, its one-line help and its epilog.

    ``plain_usage``: typer's usage line as is (``{OUT}``), not hopper's ``PATH`` style; kept
    for ``verify``, whose help has always been rendered that way."""

    __slots__ = ("epilog", "help", "name", "params", "plain_usage")

    def __init__(self, name: str, help: str, epilog: str, params: tuple[Param, ...], *,  # noqa: A002
                 plain_usage: bool = False) -> None:
        self.name = name
        self.help = help
        self.epilog = epilog
        self.params = params
        self.plain_usage = plain_usage


def argument(name: str, metavar: str, help: str, type: type = FsPath) -> Param:  # noqa: A002
    return Param(name, (), type, help, metavar=metavar, is_argument=True)


def option(name: str, *decls: str, type: type = str, help: str, **extra: object) -> Param:  # noqa: A002
    if issubclass(type, StrEnum) and "metavar" not in extra:
        extra["metavar"] = choices(type)
    return Param(name, decls, type, help, **extra)  # type: ignore[arg-type]


def flag(name: str, *decls: str, help: str, secondary: tuple[str, ...] = (),  # noqa: A002
         default: bool = False) -> Param:
    return Param(name, decls, bool, help, default=default, secondary=secondary)


# ------------------------------------------------------------------------------ from the registry

if TYPE_CHECKING:
    from hopper.formats.base import WriteFlag

    # One writer flag: (option, keyword, "str" or "int", choices, metavar, min, help).
    WriteFlagRow = tuple[str, str, str, tuple[str, ...], str | None, int | None, str]
    Snapshot = tuple[tuple[str, ...], tuple[WriteFlagRow, ...], dict[str, str], dict[str, tuple[str, str]]]


def write_flag_rows() -> tuple[WriteFlagRow, ...]:
    """``convert``'s options for the flags the formats' writers read (``Platform.write_flags``):
    merged by name in listing order, each help saying which platforms read it."""
    from hopper.formats import get_format, label  # noqa: PLC0415

    declared: dict[str, tuple[WriteFlag, list[str]]] = {}
    flags: list[WriteFlag] = []
    for name in FORMAT_NAMES:
        for flag_ in get_format(name).platform.write_flags:
            first, readers = declared.setdefault(flag_.name, (flag_, []))
            if first != flag_:
                raise ValueError(f"{name} declares {flag_.name} unlike {readers[0]} does")
            if not readers:
                flags.append(flag_)
            readers.append(label(name))
    return tuple((f.name, f.field, f.type, f.choices, f.metavar, f.min,
                  f"Only for {', '.join(declared[f.name][1])}: {f.help}") for f in flags)


def registry_snapshot() -> Snapshot:
    """What the command line shows from the registry: the platforms' labels, the writers' flags
    (``write_flag_rows``), the help of the readers' own options (``Platform.read_flags``) and of
    the commands one platform serves (``Platform.command_help``). This imports every format
    (~35 ms): start-up reads the same from ``hopper._cli_flags`` instead, generated from this
    (tests/core/test_cli_flags.py), while it was made for the formats registered."""
    from hopper.formats import get_format, label  # noqa: PLC0415

    read_help: dict[str, str] = {}
    command_help: dict[str, tuple[str, str]] = {}
    for name in FORMAT_NAMES:
        platform = get_format(name).platform
        for read_flag in platform.read_flags:
            read_help[read_flag.name] = " ".join(filter(None, (read_help.get(read_flag.name), read_flag.help)))
        for command, texts in sorted(platform.command_help.items()):
            if command in command_help:
                raise ValueError(f"two formats give hopper {command} its help")
            command_help[command] = texts
    return tuple(label(n) for n in FORMAT_NAMES), write_flag_rows(), read_help, command_help


def _snapshot() -> Snapshot:
    from hopper import _cli_flags  # noqa: PLC0415

    if _cli_flags.FORMATS != FORMAT_NAMES:
        return registry_snapshot()
    return _cli_flags.LABELS, _cli_flags.FLAGS, _cli_flags.READ_HELP, _cli_flags.COMMAND_HELP


LABELS, _FLAG_ROWS, _READ_HELP, _COMMAND_HELP = _snapshot()


def _write_flag_params() -> tuple[Param, ...]:
    params: list[Param] = []
    for decl, name, kind, values, metavar, least, help_text in _FLAG_ROWS:
        if values:  # a choice: an enum named as the CLI's others are (AutostopChoice)
            enum = StrEnum(f"{name.title().replace('_', '')}Choice",  # type: ignore[misc]
                           {v: v for v in values})
            params.append(option(name, decl, type=enum, help=help_text))
        else:
            params.append(option(name, decl, type=int if kind == "int" else str, metavar=metavar,
                                 min=least, help=help_text))
    return tuple(params)


WRITE_FLAGS = _write_flag_params()
"""The ``convert`` options of the writers' flags, in help order (see ``write_flag_rows``)."""


def _read_help(name: str) -> str:
    """The help of a reader's own option, as the formats that read it give it."""
    return _READ_HELP.get(name) or "No registered format reads it."


def _command_help(command: str) -> tuple[str, str]:
    """The help of a command one platform serves, and of its path argument."""
    return _COMMAND_HELP.get(command) or ("No registered format serves it.", "A path.")


# ------------------------------------------------------------------------------ exit codes

EPILOG = ("Exit codes: 0 ok; 1 bad input or warnings under --strict; 2 changes present "
          "(diff --detailed-exitcode); 3 internal error; 64 usage error; 130 interrupted.")
# Each command's help names only the exit codes it can return (and --strict only where it exists).
_EXIT_TAIL = "3 internal error; 64 usage error; 130 interrupted."
EPILOG_STRICT = f"Exit codes: 0 ok; 1 bad input or warnings under --strict; {_EXIT_TAIL}"
EPILOG_CONVERT = ("Exit codes: 0 ok; 1 bad input, refused write (existing files without --force) "
                  f"or warnings under --strict; {_EXIT_TAIL}")
EPILOG_DIFF = ("Exit codes: 0 ok (no changes, with --detailed-exitcode); 1 bad input, or "
               "unacknowledged findings at --fail-on; 2 changes present (with --detailed-exitcode); "
               f"{_EXIT_TAIL}")
EPILOG_REWRITE = f"Exit codes: 0 ok; 1 bad input or refused write; {_EXIT_TAIL}"
EPILOG_PLAIN = f"Exit codes: 0 ok; {_EXIT_TAIL}"

# ------------------------------------------------------------------------------ the program

PROGRAM_HELP = (f"Move a web application's deployment between {', '.join(LABELS[:-1])} and "
                f"{LABELS[-1]}, and show what changes before anything is deployed. The options "
                "below may also follow the command.")
HELP_FLAGS = ("-h", "--help")

# Options of the whole program; they take no value, and are accepted after the command too.
GLOBAL_PARAMS = (
    flag("version", "--version", "-V", help="Print the version and exit."),
    flag("debug", "--debug", help="Show Python tracebacks for internal errors."),
    flag("verbose", "--verbose", "-v", help="Also print info notes (how hopper decided)."),
    flag("quiet", "--quiet", "-q", help="Print only errors on stderr."),
)

# ------------------------------------------------------------------------------ shared options

# Limits on what is read (docs/security.md). Each flag overrides one field of Limits.
LIMITS = (
    option("max_input_bytes", "--max-input-bytes", type=int, min=1, metavar="N",
           help="Largest file read, in bytes (default 8 MiB)."),
    option("max_total_bytes", "--max-total-bytes", type=int, min=1, metavar="N",
           help="Most bytes read in all (default 32 MiB)."),
    option("max_files", "--max-files", type=int, min=1, metavar="N", help="Most files read (default 2000)."),
    option("max_depth", "--max-depth", type=int, min=1, metavar="N",
           help="Deepest nesting accepted (default 64)."),
    option("max_alias_nodes", "--max-alias-nodes", type=int, min=1, metavar="N",
           help="Most YAML nodes aliases may expand to (default 100000)."),
    option("max_services", "--max-services", type=int, min=1, metavar="N",
           help="Most services or apps (default 10000)."),
    option("max_routes", "--max-routes", type=int, min=1, metavar="N",
           help="Most nginx locations or routes (default 1000)."),
)
FILES = option("file", "--file", "-f", multiple=True, metavar="FILE", help=_read_help("--file"))
PROFILES = option("profile", "--profile", multiple=True, metavar="NAME", help=_read_help("--profile"))
ENV_FILES = option("env_file", "--env-file", multiple=True, metavar="FILE", help=_read_help("--env-file"))
FROM = option("from_", "--from", type=SourceFormat, help="The source format (detected when omitted).")
STRICT = flag("strict", "--strict", help="Treat warnings as errors: exit 1 with HOP050, naming the first.")
VARIANT = option("variant", "--variant", metavar="NAME", help=_read_help("--variant"))

# ------------------------------------------------------------------------------ the commands

COMMANDS = (
    Command("inspect", "Read a setup and show the architecture hopper understood.", EPILOG_STRICT, (
        argument("path", "PATH", "A project folder or a setup file."),
        FROM, FILES, PROFILES, ENV_FILES, VARIANT,
        option("fmt", "--format", type=InspectFormat, default=InspectFormat.text,
               help="text summary, the native model as yaml/json, or a mermaid diagram."),
        flag("with_origin", "--with-origin", help="Include file:line provenance in yaml/json."),
        flag("no_interpolate", "--no-interpolate", help="Do not substitute ${VARS}."),
        flag("scan_code", "--scan-code", help="Also scan application code for env var reads."),
        STRICT, *LIMITS,
    )),
    Command("convert", "Write the equivalent setup for another platform.", EPILOG_CONVERT, (
        argument("path", "PATH", "A project folder or a setup file."),
        option("to", "--to", type=SourceFormat, required=True, help="The target platform."),
        option("out", "--out", "-o", type=FsPath, metavar="DIR",
               help="Folder to write into (required unless --dry-run)."),
        FROM, FILES, PROFILES, ENV_FILES, VARIANT,
        flag("dry_run", "--dry-run", help="Write nothing; list the files and print the migration plan."),
        flag("force", "--force", help="Replace existing files in --out."),
        *WRITE_FLAGS,
        option("option", "--option", multiple=True, metavar="NAME=VALUE",
               help="An option of the target's writer (listed by `hopper formats`); repeatable."),
        option("report", "--format", type=ReportFormat, default=ReportFormat.text,
               help="Plan format for --dry-run."),
        flag("scan_code", "--scan-code", secondary=("--no-scan-code",), default=True,
             help="Scan application code for the env vars it reads (build-time variables, names "
                  "the target must provide)."),
        STRICT, *LIMITS,
    )),
    Command("validate", _command_help("validate")[0], EPILOG_STRICT, (
        argument("path", "PATH", _command_help("validate")[1]),
        option("source", "--source", type=FsPath, metavar="DIR",
               help="The repository the set is for: files it refers to but does not carry (your "
                    "Dockerfiles, your code) are read from there."),
        STRICT,
        option("fmt", "--format", type=ValidateFormat, default=ValidateFormat.text,
               help="text: the findings on stderr only; sarif: also a SARIF 2.1.0 document on "
                    "stdout (GitHub code scanning)."),
        option("path_prefix", "--path-prefix", metavar="PREFIX",
               help="--format sarif: put PREFIX before each file's path as seen from the current "
                    "folder (default: paths from the root of the git repository holding the "
                    "current folder)."),
        *LIMITS,
    )),
    Command("verify", _command_help("verify")[0], EPILOG, (
        argument("out", "OUT", _command_help("verify")[1]),
        option("source", "--source", type=FsPath, metavar="DIR",
               help="The repository the set was converted from (default: OUT, when the set was "
                    "copied into it)."),
        flag("hold", "--hold",
             help="After the checks, keep the set running until Ctrl-C, each public app "
                  "answering on a loopback port of this machine (printed on stderr)."),
    ), plain_usage=True),
    Command("diff", "Show the migration plan between two setups: what behaves differently, and what "
                    "to do.", EPILOG_DIFF, (
        argument("before", "BEFORE", "The current setup (any format)."),
        argument("after", "AFTER", "The setup to compare with (any format)."),
        option("from_before", "--from-before", type=SourceFormat, help="Format of BEFORE."),
        option("from_after", "--from-after", type=SourceFormat, help="Format of AFTER."),
        option("fmt", "--format", type=ReportFormat, default=ReportFormat.text, help="Report format."),
        flag("detailed_exitcode", "--detailed-exitcode", help="Exit 2 when there are changes, 0 when none."),
        option("fail_on", "--fail-on", type=FailOn,
               help="Exit 1 on unacknowledged findings of this severity or worse."),
        option("ack", "--ack", type=FsPath, metavar="FILE",
               help="Acknowledgement file (default: hopper.ack.yaml if present)."),
        # The same default as convert's, so `diff SOURCE OUT` and `convert --dry-run` give one plan.
        flag("scan_code", "--scan-code", secondary=("--no-scan-code",), default=True,
             help="Scan application code for the env vars it reads (as convert does)."),
        option("path_prefix", "--path-prefix", metavar="PREFIX",
               help="--format github|sarif: put PREFIX before each file's path as seen from the current "
                    "folder (default: paths from the root of the git repository holding the "
                    "current folder)."),
        VARIANT, *LIMITS,
    )),
    Command("rewrite-env", "Rename env var reads in application code to the target platform's names.",
            EPILOG_REWRITE, (
        argument("path", "PATH", "A project folder (its services' source is scanned)."),
        option("to", "--to", type=SourceFormat, required=True,
               help="The target platform whose env names to use."),
        FROM,
        flag("write", "--write", help="Edit the files in place (atomically); without it, only print the diff."),
    )),
    Command("formats", "List the formats hopper reads and writes, with the flags and options each "
                       "writer reads.", EPILOG_PLAIN, ()),
)

BY_NAME = {command.name: command for command in COMMANDS}
