"""A finding's "what to do" speaks the target's language: the platform-specific part of each
remedy comes from the target's ``Platform.hints`` (findings/hints.py), never another platform's
command (a plan for Render once said "Fly: fly secrets import --stage; Clever Cloud: clever env
import")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from diff_builders import all_cases, arch, svc

import hopper
from hopper import mappings
from hopper.diff import diff_models
from hopper.findings.hints import NEUTRAL, hints_for, used_in
from hopper.findings.table import SPECS
from hopper.findings.types import Finding
from hopper.formats import format_names, get_format
from hopper.model import (
    Architecture,
    Database,
    HealthCheck,
    Placement,
    Region,
    Runtime,
    Schedule,
    Secret,
)
from support import ROOT

# Words that belong to one platform's remedies: none may appear in a remedy for another target.
TERMS: dict[str, tuple[str, ...]] = {
    "compose": ("compose", ".env", "healthcheck"),
    "clevercloud": ("Clever", "clever ", "CC_", "Cellar"),
    "fly": ("Fly", "fly ", "flyctl", "fly.toml", "flycast", "Machine", "--postgres", "[["),
    "render": ("Render", "render.yaml", "sync: false", "pserv", "healthCheckPath"),
}


def test_the_terms_cover_every_registered_format() -> None:
    assert set(TERMS) == set(format_names())


def _foreign(action: str, target: str) -> list[str]:
    return [f"{other}: {term!r}" for other, terms in TERMS.items() if other != target
            for term in terms if term in action]


def _source(target: str) -> str:
    """A source platform other than the target (the remedy must not name it either)."""
    return next(name for name in format_names() if name != target)


def _eu_region(platform: str) -> str:
    return sorted(r.code for r in mappings.regions(platform).values()
                  if r.eu and r.apps and not r.retired)[0]


def _outside_eu(platform: str) -> str:
    return sorted(r.code for r in mappings.regions(platform).values()
                  if not r.eu and r.apps and not r.retired)[0]


def _placed(platform: str, code: str) -> Placement:
    return Placement(primary=Region(code=code, platform=platform))


# Each changed finding, as a (before, after) pair for a target; None where the target cannot
# be in that situation (no regions on compose).
Case = Callable[[str], "tuple[Architecture, Architecture] | None"]


def _secret_became_plain(t: str) -> tuple[Architecture, Architecture]:
    return (arch("shop", _source(t), svc("api", runtime=Runtime(secret_env=("JWT_SECRET",)))),
            arch("shop", t, svc("api", runtime=Runtime(env={"JWT_SECRET": "x"}))))


def _plain_became_secret(t: str) -> tuple[Architecture, Architecture]:
    return (arch("shop", _source(t), svc("api", runtime=Runtime(env={"SENTRY_DSN": "x"}))),
            arch("shop", t, svc("api", runtime=Runtime(secret_env=("SENTRY_DSN",)))))


def _secret_added(t: str) -> tuple[Architecture, Architecture]:
    return (arch("shop", _source(t), svc("api")),
            arch("shop", t, svc("api"), secrets=(Secret(name="JWT_SECRET", used_by=("api",)),)))


def _made_public(t: str) -> tuple[Architecture, Architecture]:
    return arch("shop", _source(t), svc("api", public=False)), arch("shop", t, svc("api", public=True))


def _health_dropped(t: str) -> tuple[Architecture, Architecture]:
    checked = Runtime(port=3000, health_check=HealthCheck(path="/health"))
    return (arch("shop", _source(t), svc("api", runtime=checked)),
            arch("shop", t, svc("api", runtime=Runtime(port=3000))))


def _leaves_eu(t: str) -> tuple[Architecture, Architecture] | None:
    if not get_format(t).platform.has_regions:
        return None
    return (arch("shop", "clevercloud", svc("api"), placement=_placed("clevercloud", "par")),
            arch("shop", t, svc("api"), placement=_placed(t, _outside_eu(t))))


def _database_moves(t: str) -> tuple[Architecture, Architecture] | None:
    if not get_format(t).platform.has_regions:
        return None
    return (arch("shop", "clevercloud", svc("api"), databases=(Database(name="db"),),
                 placement=_placed("clevercloud", "par")),
            arch("shop", t, svc("api"), databases=(Database(name="db"),),
                 placement=_placed(t, _eu_region(t) if t != "clevercloud" else "rbx")))


def _database_far(t: str) -> tuple[Architecture, Architecture] | None:
    if not get_format(t).platform.has_regions:
        return None
    db = Database(name="db", extensions={t: {"region": _outside_eu(t)}})
    return (arch("shop", _source(t), svc("api"), databases=(Database(name="db"),)),
            arch("shop", t, svc("api"), databases=(db,), placement=_placed(t, _eu_region(t))))


def _schedule_dropped(t: str) -> tuple[Architecture, Architecture]:
    job = Schedule(name="api-cron-1", cron="0 4 * * *", command="/app/jobs/sync.sh", service="api")
    return arch("shop", _source(t), svc("api"), schedules=(job,)), arch("shop", t, svc("api"))


CASES: dict[str, Case] = {
    "HD103": _leaves_eu,
    "HD302": _secret_became_plain,
    "HD303": _plain_became_secret,
    "HD304": _secret_added,
    "HD401": _made_public,
    "HD424": _database_moves,
    "HD427": _database_far,
    "HD706": _health_dropped,
    "HD720": _schedule_dropped,
}


def _action(code: str, target: str) -> str | None:
    """The action of ``code`` in the case above, run on ``target``; None: not possible there."""
    pair = CASES[code](target)
    if pair is None:
        return None
    found = [f for f in diff_models(*pair).findings if f.code == code]
    assert len(found) == 1, f"{code} on {target}: {[f.code for f in diff_models(*pair).findings]}"
    return found[0].action


def _findings(target: str) -> list[Finding]:
    """Every finding of the differ's test cases (the after side run on ``target``) and of the
    cases above."""
    out: list[Finding] = []
    for before, after in all_cases().values():
        out += diff_models(before, replace(after, source_format=target)).findings
    for case in CASES.values():
        pair = case(target)
        if pair is not None:
            out += diff_models(*pair).findings
    return out


# The findings whose remedy depends on the target (issue 17: each named Fly's or Clever Cloud's
# way whatever the target). Listed here, not derived from the table, so that a text that goes
# back to naming one platform fails below.
HINTED = {"HD103", "HD201", "HD202", "HD204", "HD206", "HD208", "HD302", "HD303", "HD304",
          "HD311", "HD312", "HD315", "HD401", "HD409", "HD424", "HD427", "HD512", "HD607",
          "HD615", "HD619", "HD620", "HD704", "HD706", "HD720"}


def test_the_list_holds_every_finding_with_a_platform_clause() -> None:
    assert {code for code, spec in SPECS.items() if used_in(spec.why + spec.action)} <= HINTED


@pytest.mark.parametrize("target", format_names())
def test_every_remedy_that_depends_on_the_target_is_in_its_terms(target: str) -> None:
    declared = get_format(target).platform.hints
    seen = set()
    for f in _findings(target):
        if f.code not in HINTED:
            continue
        seen.add(f.code)
        text = f"{f.why} {f.action}"
        assert not _foreign(text, target), f"{f.code} for {target}: {text}"
        assert "{" not in text, f"{f.code} for {target}: a placeholder left unfilled: {text}"
        spec = SPECS[f.code]
        assert used_in(spec.why + spec.action) or f.code == "HD103", f"{f.code}: no clause"
        for key in used_in(spec.why + spec.action):
            clause = getattr(declared, key) or getattr(NEUTRAL, key)
            assert clause.split("{")[0] in text, f"{f.code} for {target} lacks its {key}: {text}"
    # Every such finding was seen (compose states no region of its own: the builders' cases
    # with regions still place it).
    impossible = {"compose": {"HD427"}}.get(target, set())
    assert HINTED - impossible <= seen, sorted(HINTED - impossible - seen)


def test_the_eu_regions_offered_are_the_targets_own_from_its_table() -> None:
    assert _action("HD103", "render") == \
        "Pick an EU region with --region (frankfurt), or have the transfer approved."
    fly = _action("HD103", "fly")
    assert fly is not None and "(ams, arn, cdg, fra)" in fly  # the current ones; not mad, waw
    clever = _action("HD103", "clevercloud")
    assert clever is not None and "par" in clever and "ldn" not in clever \
        and "fr-north-hds" not in clever  # London is not in the EU; fr-north-hds runs no apps


def test_the_secrets_remedy_for_render_is_the_dashboard() -> None:
    action = _action("HD304", "render")
    assert action is not None and "sync: false" in action and "dashboard" in action


def test_the_health_check_remedy_for_render_says_it_is_for_web_services() -> None:
    action = _action("HD706", "render")
    assert action is not None and "healthCheckPath: /health" in action and "web services only" in action


def test_a_platform_without_a_clause_gets_the_neutral_one() -> None:
    # Clever Cloud has no private services of its own to offer for HD401.
    assert get_format("clevercloud").platform.hints.keep_private is None
    assert hints_for("clevercloud")["keep_private"] == NEUTRAL.keep_private
    assert hints_for("no-such-platform") == hints_for("no-such-platform") and \
        hints_for("no-such-platform")["set_secrets"] == NEUTRAL.set_secrets


SAMPLES = ("compose-webapp", "clevercloud-webapp", "monorepo-webapp")


@pytest.mark.parametrize("target", format_names())
@pytest.mark.parametrize("sample", SAMPLES)
def test_a_converted_samples_remedies_name_only_the_targets_terms(sample: str, target: str) -> None:
    plan = hopper.plan(ROOT / "samples" / sample, target,
                       read_options=hopper.ReadOptions(scan_code=True))
    wrong = [f"{f.code}: {_foreign(f.action, target)}: {f.action}" for f in plan.findings
             if _foreign(f.action, target)]
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------- HD706 on Render

def test_a_health_check_render_carries_is_not_reported_dropped() -> None:
    """With a static front the API is a web service, and its check is healthCheckPath: the plan
    must not call it dropped."""
    options = hopper.WriteOptions(extra={"front": "static"})
    result = hopper.convert(ROOT / "samples" / "compose-webapp", "render", write_options=options)
    assert "healthCheckPath: /health" in result.files["render.yaml"]
    plan = hopper.conversion_plan(result, "render")
    assert not [f for f in plan.findings if f.code == "HD706"]


def test_a_health_check_render_cannot_carry_is_reported_in_renders_terms() -> None:
    """Behind the default nginx front the API is a private service, which has no health check
    on Render: HD706 is right, and its remedy is Render's."""
    result = hopper.convert(ROOT / "samples" / "compose-webapp", "render")
    assert "healthCheckPath" not in result.files["render.yaml"]
    plan = hopper.conversion_plan(result, "render")
    [dropped] = [f for f in plan.findings if f.code == "HD706"]
    assert "web services only" in dropped.action and not _foreign(dropped.action, "render")

