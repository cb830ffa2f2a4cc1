"""`import hopper` and the CLI's start-up must not load the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

from support import SAMPLES

HEAVY = ("yaml", "crossplane", "jinja2", "deepdiff", "libcst", "tomlkit", "typer", "click",
         "rich", "pydantic", "hcl2", "dockerfile")


def _loaded_after(code: str) -> set[str]:
    probe = (f"import sys\n{code}\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_hopper_is_light() -> None:
    assert _loaded_after("import hopper").isdisjoint(HEAVY)


def test_model_and_diagnostics_import_no_format_library() -> None:
    assert _loaded_after("import hopper.model, hopper.diagnostics, hopper.native").isdisjoint(HEAVY)


def test_version_does_not_import_the_cli() -> None:
    code = ("from hopper.__main__ import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass")
    assert _loaded_after(code).isdisjoint(HEAVY)


def test_help_loads_no_format_library() -> None:
    code = ("from hopper.__main__ import main\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass")
    loaded = _loaded_after(code)
    assert loaded.isdisjoint({"yaml", "crossplane", "jinja2", "deepdiff", "libcst", "tomlkit",
                              "hcl2", "dockerfile"})


def test_commands_run_without_the_cli_framework() -> None:
    """The lean dispatcher (hopper.cli_parse) runs ordinary commands: typer and click cost
    ~130 ms of CPU before the command starts, more than reading a small project."""
    code = ("from hopper.__main__ import main\n"
            "import contextlib, io\n"
            f"for argv in (['formats'], ['-q', 'inspect', {str(SAMPLES / 'compose-webapp')!r}, '--format', 'json']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        try:\n            main(argv)\n        except SystemExit as exc:\n"
            "            assert exc.code == 0, (argv, exc.code)")
    assert _loaded_after(code).isdisjoint({"typer", "click", "rich", "pydantic"})
