"""What ``hopper verify`` reports: each check, passed or failed, with what was seen."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # stable identifier, e.g. "route", "wake", "deploy-config"
    subject: str  # what it is about: an app, a route, a path
    ok: bool | None  # None: not applicable here (said why in ``seen``)
    seen: str

    @property
    def status(self) -> str:
        return "pass" if self.ok else ("n/a" if self.ok is None else "FAIL")


@dataclass(slots=True)
class Report:
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # differences from Fly worth knowing
    stopped: str | None = None  # why the run stopped early (a deploy would have stopped too)

    @property
    def ok(self) -> bool:
        return self.stopped is None and all(c.ok is not False for c in self.checks)

    def failed(self, name: str | None = None) -> list[Check]:
        return [c for c in self.checks if c.ok is False and (name is None or c.name == name)]

    def text(self) -> str:
        lines = [f"{c.status:>4}  {c.name} {c.subject}: {c.seen}" for c in self.checks]
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        lines += [f"note: {n}" for n in self.notes]
        passed = sum(1 for c in self.checks if c.ok)
        failed = len(self.failed())
        lines.append(f"{'verified' if self.ok else 'NOT verified'}: {passed} passed, {failed} failed")
        return "\n".join(lines)
