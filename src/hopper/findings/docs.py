"""Generate docs/findings.md from the finding table: ``python -m hopper.findings.docs``.

A test compares the committed page with this output, so a new or changed code cannot go
undocumented.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from hopper.findings.hints import NEUTRAL, used_in
from hopper.findings.points import FILE_LEVEL, POINTS
from hopper.findings.table import SPECS, FindingSpec
from hopper.findings.types import CATEGORIES
from hopper.formats import format_names, get_format

_SYMBOL = {"add": "+", "change": "~", "remove": "-"}

INTRO = """\
# Finding codes

Every difference `hopper diff` and `hopper convert --dry-run` report is a *finding* with a
stable code. Codes never change meaning; a retired code is never reused. Acknowledge a finding
in `hopper.ack.yaml` by its code (or its name) and the service it is about (see
[diff.md](diff.md)).

Severities: **breaking** (the app stops working as before unless you act), **warning** (it
works, differently: check it), **info** (worth knowing). Each example is the line the text plan
prints. Placeholders in *italics* are filled in with your names and values; where what to do
depends on the target platform, the placeholder is filled with the target's own way, listed
under the code (each format declares them in its `Platform.hints`; a target that declares none
gets the neutral clause, which names no platform).

**Where it points.** Each finding carries a location on each side (`file:line:col` in the text
and Markdown plans, `evidence_before`/`evidence_after` in JSON, `file=,line=,col=` in GitHub
annotations): the key the user wrote for the field the finding is about — `auto_stop_machines`
in fly.toml, `deploy.replicas` in compose.yaml, `min_instance_count` in Terraform,
`scalability.horizontal.min` in a Clever export's `status.json`, a variable's own line under
`[env]`, `environment`, in an env file or in the export's `env.json`. When a side does not
write that key (compose has no autostop), it points at the service's section, resource or file. Readers record
these locations in the model's `key_origins` (see [model.md](model.md)); the list under each
code below says which fields it points at, with the key each format uses.

This page is generated from `src/hopper/findings/table.py`, `src/hopper/findings/points.py`
and each format's `plan_keys.toml` by `python -m hopper.findings.docs`; do not edit it by hand.
"""

def _user_keys() -> list[tuple[str, Mapping[str, str]]]:
    """Each format's label and where its reader finds each field (``Platform.plan_keys``), in
    the registry's listing order."""
    out = []
    for name in format_names():
        platform = get_format(name).platform
        if platform.plan_keys is not None:
            out.append((platform.label, platform.plan_keys()))
    return out


def _points(code: str, user_keys: list[tuple[str, Mapping[str, str]]]) -> str:
    if code in FILE_LEVEL:
        return f"**Points at:** {FILE_LEVEL[code]} (about the whole component by nature)."
    parts = []
    for path in POINTS.get(code, ()):
        where = "; ".join(f"{label}: {keys[path]}" for label, keys in user_keys if path in keys)
        parts.append(f"`{_md(path)}`" + (f" ({where})" if where else ""))
    return "**Points at:** " + ", else ".join(parts) + ", else the component's section."


def _hints(spec: FindingSpec) -> list[str]:
    """What each target puts in the action's platform placeholders (``Platform.hints``), and
    the neutral clause the others get."""
    out = []
    for key in used_in(spec.action):
        own = [(get_format(n).platform.label, getattr(get_format(n).platform.hints, key))
               for n in format_names()]
        lines = [f"- {label}: {_md(text)}" for label, text in own if text]
        if any(not text for _, text in own):
            neutral = getattr(NEUTRAL, key)
            lines.append(f"- elsewhere: {_md(neutral)}" if neutral else "- elsewhere: nothing")
        out.append(f"*{key}* on each target:\n\n" + "\n".join(lines) + "\n")
    return out


def _example(spec: FindingSpec) -> str:
    subject, before, after = spec.example
    lines = [f"  {_SYMBOL[spec.change]} {subject}: {spec.title}  [{spec.code} {spec.severity}]"]
    if before is not None or after is not None:
        lines.append(f"      {before or '(none)'} -> {after or '(none)'}")
    return "\n".join(["```text", *lines, "```"])


def _md(text: str) -> str:
    """Placeholders in italics; the rest as it is (the table's prose is plain)."""
    return text.replace("{", "*").replace("}", "*")


def render() -> str:
    out = [INTRO]
    user_keys = _user_keys()
    for category, heading in CATEGORIES.items():
        specs = [s for s in SPECS.values() if s.category == category]
        if not specs:
            continue
        out.append(f"## {heading[0].upper()}{heading[1:]}\n")
        out.append("| code | name | severity | title |")
        out.append("|---|---|---|---|")
        out.extend(f"| [{s.code}](#{s.code.lower()}) | `{s.slug}` | {s.severity} | {_md(s.title)} |"
                   for s in specs)
        out.append("")
        for s in specs:
            out.append(f"### {s.code}\n")
            out.append(f"`{s.slug}`: {s.severity}, {heading}.\n")
            out.append(f"**Why it matters:** {_md(s.why)}\n")
            out.append(f"**What to do:** {_md(s.action)}\n")
            out.extend(_hints(s))
            out.append(_points(s.code, user_keys) + "\n")
            out.append(_example(s))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/findings.md")
    target.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
