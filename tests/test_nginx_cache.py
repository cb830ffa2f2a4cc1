"""One reading of nginx cache rules for every reader: the same ``expires`` gives the same model,
whether the nginx.conf is a compose front's, a Fly app's or a Render front's (the Fly and Render
readers once read ``expires max`` as no cache rule at all, where compose's read 10 years)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hopper import api
from hopper.diagnostics import Location
from hopper.shared.nginx.cache import expires_seconds, to_model_cache_rule
from hopper.shared.nginx.config import CacheRule as NginxCacheRule

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "compose-webapp"
TEN_YEARS = 315360000


@pytest.mark.parametrize(("text", "seconds"), [
    ("max", TEN_YEARS), ("30", 30), ("20s", 20), ("5m", 300), ("12h", 43200), ("7d", 604800),
    ("2w", 1209600), ("1M", 2592000), ("1y", 31536000), (" 7d ", 604800),
    ("off", None), ("epoch", None), ("@15h30m", None), ("-1", None), ("7x", None),
])
def test_expires_is_read_as_nginx_reads_it(text: str, seconds: int | None) -> None:
    assert expires_seconds(text) == seconds


def test_cache_control_max_age_wins_and_says_immutable() -> None:
    where = Location(file="nginx.conf", line=1, col=1)
    rule = to_model_cache_rule(NginxCacheRule(pattern="/assets/", expires="7d",
                                              cache_control="public, max-age=60, immutable",
                                              location=where))
    assert (rule.pattern, rule.max_age_s, rule.immutable) == ("/assets/", 60, True)
    plain = to_model_cache_rule(NginxCacheRule(pattern="/", expires="max", cache_control="public",
                                               location=where))
    assert (plain.max_age_s, plain.immutable) == (TEN_YEARS, False)


@pytest.mark.parametrize("fmt", ["compose", "fly", "render"])
def test_every_reader_reads_expires_max_the_same(fmt: str, tmp_path: Path) -> None:
    if not SAMPLE.is_dir():
        pytest.skip("the compose sample is not here")
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    confs = [project / "front" / "nginx.conf"]  # the compose front's own
    if fmt != "compose":  # the nginx.conf the target's writer emitted, read back by its reader
        written = api.convert(SAMPLE, fmt).files
        for rel, text in written.items():
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            (project / rel).write_text(text, encoding="utf-8")
        confs = [project / rel for rel, text in written.items() if "expires " in text]
    assert confs, "no nginx.conf with a cache rule to edit"
    for conf in confs:
        text = conf.read_text(encoding="utf-8")
        conf.write_text(text.replace("expires 7d;", "expires max;").replace("expires 604800s;", "expires max;"),
                        encoding="utf-8")
    model = api.load(project, fmt=fmt).model
    rules = [r for s in model.services if s.static_site for r in s.static_site.cache_rules]
    assert rules and all(r.max_age_s == TEN_YEARS for r in rules), rules
