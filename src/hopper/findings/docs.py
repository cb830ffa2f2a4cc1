"""Generate docs/findings.md from the finding table: ``python -m hopper.findings.docs``.

A test compares the committed page with this output, so a new or changed code cannot go
undocumented.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hopper.findings.table import SPECS, FindingSpec
from hopper.findings.types import CATEGORIES

_SYMBOL = {"add": "+", "change": "~", "remove": "-"}

INTRO = """\
# Finding codes

Every difference `hopper diff` and `hopper convert --dry-run` report is a *finding* with a
stable code. Codes never change meaning; a retired code is never reused. Acknowledge a finding
in `hopper.ack.yaml` by its code (or its name) and the service it is about (see
[diff.md](diff.md)).

Severities: **breaking** (the app stops working as before unless you act), **warning** (it
works, differently: check it), **info** (worth knowing). Each example is the line the text plan
prints. Placeholders in *italics* are filled in with your names and values.

This page is generated from `src/hopper/findings/table.py` by
`python -m hopper.findings.docs`; do not edit it by hand.
"""


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
            out.append(_example(s))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/findings.md")
    target.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
