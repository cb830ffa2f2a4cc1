"""Plan findings speak the target platform's terms: no Fly key or pipeline token for Render."""

from __future__ import annotations

from diff_builders import arch, svc

from hopper.diff import diff_models
from hopper.model import DeployPipeline, Role


def _https_action(target: str) -> str:
    before = arch("shop", "fly", svc("front", Role.FRONT, public=True, force_https=True))
    after = arch("shop", target, svc("front", Role.FRONT, public=True, force_https=False))
    [finding] = [f for f in diff_models(before, after).findings if f.code == "HD407"]
    return finding.action


def test_https_remedy_names_no_fly_key_for_render() -> None:
    action = _https_action("render")
    assert "force_https" not in action
    assert "Render" in action


def test_https_remedy_uses_each_platforms_own_setting() -> None:
    assert "force_https = true in the service's [http_service]" in _https_action("fly")
    assert "Force HTTPS setting" in _https_action("clevercloud")


def _ci(target: str) -> tuple[str, str]:
    before = arch("shop", "clevercloud", svc("api"),
                  pipeline=DeployPipeline(provider="clever_git_push"))
    after = arch("shop", target, svc("api"))
    [finding] = [f for f in diff_models(before, after).findings if f.code == "HD711"]
    return finding.why, finding.action


def test_ci_change_to_render_says_pushes_deploy_without_a_token() -> None:
    why, action = _ci("render")
    assert "each push to the linked branch deploys" in why
    assert "without a token" in why
    assert "pushes do not deploy" not in why
    assert "token secret" not in action
    assert "Connect the repository to Render and" in action  # the platform as users name it


def test_ci_change_to_a_platform_without_a_push_trigger_needs_the_pipeline() -> None:
    why, action = _ci("fly")
    assert "until the new pipeline is set up, pushes do not deploy" in why
    assert "token secret (the deploy token)" in action
