"""The differ's rules, category by category, on hand-built models."""

from __future__ import annotations

from dataclasses import replace

import pytest
from diff_builders import all_cases, arch, at, category_cases, drift_pair, svc, webapp_clever

from hopper.diff import diff_models
from hopper.model import Autostop, Role, Runtime, Scaling

EXPECTED = {
    "components": {"HD001", "HD002", "HD004"},
    "placement": {"HD102", "HD103", "HD104", "HD801"},
    "scaling": {"HD201", "HD202", "HD206", "HD208", "HD801"},
    "secrets-env": {"HD302", "HD303", "HD304", "HD306", "HD308", "HD309", "HD310", "HD311",
                    "HD312", "HD313", "HD315"},
    "networking": {"HD201", "HD401", "HD404", "HD405", "HD407", "HD408", "HD409", "HD410",
                   "HD801"},
    "routing": {"HD501", "HD502", "HD503", "HD504", "HD505", "HD506", "HD507", "HD509",
                "HD511", "HD512", "HD513"},
    "data": {"HD602", "HD604", "HD605", "HD606", "HD607", "HD609", "HD610", "HD611", "HD613",
             "HD615", "HD616", "HD619", "HD620", "HD801"},
    "build-deploy": {"HD414", "HD423", "HD701", "HD702", "HD705", "HD704", "HD706", "HD707", "HD708", "HD709",
                     "HD710", "HD711", "HD712", "HD801"},
    "cost": {"HD205", "HD207", "HD605", "HD801", "HD802"},
}


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_each_category_case_reports_its_codes(category: str) -> None:
    before, after = category_cases()[category]
    plan = diff_models(before, after)
    assert {f.code for f in plan.findings} == EXPECTED[category]
    assert any(f.category == category for f in plan.findings)


@pytest.mark.parametrize("name", sorted(all_cases()))
def test_a_setup_against_itself_has_no_findings(name: str) -> None:
    for model in all_cases()[name]:
        plan = diff_models(model, model)
        assert plan.findings == ()
        assert not plan.has_changes


def test_origins_are_not_differences() -> None:
    a = webapp_clever()
    moved = replace(a, services=tuple(replace(s, origin=at("elsewhere.json", 99))
                                      for s in a.services))
    assert not diff_models(a, moved).has_changes


def test_services_pair_by_prefix_then_by_role() -> None:
    before = arch("shop", "compose", svc("api"), svc("web", Role.FRONT))
    after = arch("shop", "fly", svc("shop-api"), svc("site", Role.FRONT))
    plan = diff_models(before, after)
    renamed = {(f.before, f.after): f.why for f in plan.findings if f.code == "HD003"}
    assert set(renamed) == {("api", "shop-api"), ("web", "site")}
    assert "common prefix" in renamed[("api", "shop-api")]
    assert "role" in renamed[("web", "site")]
    assert not any(f.code in ("HD001", "HD002") for f in plan.findings)


def test_ambiguous_roles_are_not_paired() -> None:
    before = arch("a", "compose", svc("one"), svc("two"))
    after = arch("a", "compose", svc("three"), svc("four"))
    codes = sorted(f.code for f in diff_models(before, after).findings)
    assert codes == ["HD001", "HD001", "HD002", "HD002"]


def test_region_distance_and_eu() -> None:
    before, after = category_cases()["placement"]
    plan = diff_models(before, after)
    far = next(f for f in plan.findings if f.code == "HD102")
    assert "km" in far.title and far.before == "par (Paris, FR)"
    retired = next(f for f in plan.findings if f.code == "HD104")
    assert "dfw" in retired.action
    assert next(f for f in plan.findings if f.code == "HD103").severity == "breaking"


def test_nearby_region_inside_the_eu_is_info_only() -> None:
    from diff_builders import region

    from hopper.model import Placement

    before = arch("a", "clevercloud", placement=Placement(primary=region("par", "clevercloud")))
    after = arch("a", "fly", placement=Placement(primary=region("cdg", "fly")))
    codes = {f.code: f for f in diff_models(before, after).findings}
    assert "HD101" in codes and "HD103" not in codes
    assert codes["HD101"].severity == "info"


def test_min_running_keeps_an_always_on_service_from_scaling_to_zero() -> None:
    before = arch("a", "clevercloud", svc("api"))
    after = arch("a", "fly", svc("api", scaling=Scaling(autostop=Autostop.STOP, min_running=1)))
    codes = {f.code for f in diff_models(before, after).findings}
    assert "HD201" not in codes and "HD204" in codes


def test_code_scan_turns_a_missing_binding_into_a_breaking_finding_with_the_new_name() -> None:
    before = webapp_clever()
    after_plan = diff_models(before, drift_pair()[1])
    f = next(f for f in after_plan.findings if f.code == "HD313")
    assert f.before is not None and f.before.startswith("POSTGRESQL_ADDON_URI")
    assert "DATABASE_URL" in f.action
    assert f.evidence_before is not None and f.evidence_before.file == "api/src/db.js"


def test_unscanned_binding_is_a_warning_and_a_scanned_unread_one_is_silent() -> None:
    before = webapp_clever()
    api = before.service("api")
    assert api is not None
    plan = diff_models(before, drift_pair()[1])
    # CELLAR_ADDON_HOST is not read by the scanned code: nothing to say.
    assert not any("CELLAR_ADDON_HOST" in (f.before or "") for f in plan.findings)
    unscanned = replace(before, services=tuple(
        replace(s, env_reads=()) if s.name == "api" else s for s in before.services))
    plan = diff_models(unscanned, drift_pair()[1])
    hosts = [f for f in plan.findings if "CELLAR_ADDON_HOST" in (f.before or "")]
    assert [f.code for f in hosts] == ["HD314"]
    assert "AWS_ENDPOINT_URL_S3" in hosts[0].action


def test_platform_injected_port_read_by_code_is_checked() -> None:
    api = svc("api", runtime=Runtime(port=8080),
              env_reads=webapp_clever().services[0].env_reads)
    before = arch("a", "clevercloud", api)
    after = arch("a", "fly", replace(api, runtime=Runtime(port=8080)))
    missing = [f for f in diff_models(before, after).findings if f.code == "HD313"]
    assert [f.before for f in missing] == ["PORT (set by clevercloud)"]
    fixed = arch("a", "fly", replace(api, runtime=Runtime(port=8080, env={"PORT": "8080"})))
    assert not any(f.code == "HD313" for f in diff_models(before, fixed).findings)


def test_hopper_env_shim_provides_the_old_names() -> None:
    from hopper.model import Binding, Database

    b = svc("api", bindings=(Binding(variable="POSTGRESQL_ADDON_URI", resource="db",
                                     attribute="uri"),))
    a = svc("api", runtime=Runtime(command=("/bin/sh", "/etc/hopper/hopper-env.sh", "node",
                                            "server.js")),
            bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri"),))
    dbs = (Database(name="db"),)
    plan = diff_models(arch("x", "clevercloud", b, databases=dbs),
                       arch("x", "fly", a, databases=dbs))
    assert not any(f.code in ("HD313", "HD314") for f in plan.findings)


def test_worker_autostop_is_breaking_and_http_autostop_a_warning() -> None:
    before, after = category_cases()["scaling"]
    sev = {(f.subject, f.code): f.severity for f in diff_models(before, after).findings}
    assert sev[("worker", "HD202")] == "breaking"
    assert sev[("api", "HD201")] == "warning"


def test_findings_are_sorted_by_category_then_subject() -> None:
    plan = diff_models(*all_cases()["clevercloud-to-fly-handmade"])
    keys = [f.sort_key() for f in plan.findings]
    assert keys == sorted(keys)


def test_internal_without_autostop_is_fine() -> None:
    front = svc("front", Role.FRONT, routes=())
    api = svc("api", extensions={"fly": {"private_network": "internal"}})
    before = arch("a", "fly", front, svc("api"))
    after = arch("a", "fly", front, api)
    assert not any(f.code == "HD404" for f in diff_models(before, after).findings)


def test_platform_secret_with_a_non_sensitive_value_is_not_a_leak() -> None:
    """Fly stores BUCKET_NAME as a secret (fly storage create); a plain BUCKET_NAME elsewhere is
    not a secret leaking into configuration, while a credentialed URL is."""
    from diff_builders import arch, svc

    from hopper.diff import diff_models
    from hopper.model import Runtime

    before = arch("x", "fly", svc("api", runtime=Runtime(secret_env=("BUCKET_NAME", "DATABASE_URL"))))
    after = arch("x", "compose", svc("api", runtime=Runtime(env={
        "BUCKET_NAME": "media", "DATABASE_URL": "postgres://app:hunter2@db:5432/app"})))
    codes = {(f.code, f.after) for f in diff_models(before, after).findings}
    assert ("HD302", "DATABASE_URL (plain env)") in codes
    assert not any(c == "HD302" and a and a.startswith("BUCKET_NAME") for c, a in codes)
