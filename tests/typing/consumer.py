"""A library consumer that mypy --strict checks in CI (scripts/test): hopper's public API must
type-check from the outside, lazy imports included. It is not a test module; it never runs."""

from __future__ import annotations

from pathlib import Path

import hopper


def fly_files(project: Path) -> dict[str, str]:
    try:
        result: hopper.ReadResult = hopper.load(project, options=hopper.ReadOptions())
    except hopper.HopperError as exc:
        where: str | None = exc.path
        raise SystemExit(f"{where}:{exc.line}: {exc.code}") from exc
    model: hopper.Architecture = result.model
    fronts: list[hopper.Service] = [s for s in model.services if s.role is hopper.Role.FRONT]
    written: hopper.WriteResult = hopper.write(model, "fly", hopper.WriteOptions(region="cdg"))
    _ = fronts, hopper.dump_model(model, "json")
    return dict(written.files)


def convert_strict(project: Path) -> int:
    converted: hopper.ConvertResult = hopper.convert(project, "compose", strict=True)
    warnings = [d for d in converted.diagnostics if d.severity is hopper.Severity.WARNING]
    return len(warnings)


def plan_markdown(project: Path, out: Path) -> tuple[str, bool, str]:
    conversion: hopper.Plan = hopper.plan(project, "fly", read_options=hopper.ReadOptions(scan_code=True))
    between: hopper.Plan = hopper.plan(project, out, acks=out / "hopper.ack.yaml")
    first: hopper.Finding | None = next(iter(between.findings), None)
    warnings: list[hopper.Diagnostic] = [d for d in conversion.diagnostics
                                         if d.severity is hopper.Severity.WARNING]
    _ = first, warnings, hopper.render_plan(conversion, hopper.PLAN_FORMATS[0], color=False)
    renames: hopper.RewriteResult = hopper.rewrite_env(project, "render")
    return hopper.render_plan(between, "markdown"), hopper.fails_on(between, "breaking"), renames.diff
