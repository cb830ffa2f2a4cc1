"""fly.toml parsing: every form flyctl accepts, its legacy patches, type rules and bad inputs."""

from __future__ import annotations

import pytest

from hopper.diagnostics import HopperError, InputError, LimitError, Limits
from hopper.formats.fly.flytoml import parse_fly_config
from hopper.formats.fly.read_units import memory_mb, parse_duration, volume_gb


def load(text: str, fmt: str = "toml"):
    return parse_fly_config(text.encode(), "fly.toml", fmt=fmt)


def codes(cfg) -> list[str]:
    return [d.code for d in cfg.diagnostics]


# ----------------------------------------------------------------------------- legacy forms


def test_env_list_is_merged_and_values_stringified() -> None:
    cfg = load('app = "a"\n[[env]]\nFOO = "BAR"\nTWO = 2\n[[env]]\nTRUE = true\nF = 2.0\n')
    assert cfg.data["env"] == {"FOO": "BAR", "TWO": "2", "TRUE": "true", "F": "2"}
    assert cfg.location("env", "TRUE").line == 6


def test_processes_list_with_name_and_command() -> None:
    cfg = load('[[processes]]\nname = "web"\ncommand = "./web"\n[[processes]]\nname = "worker"\ncommand = "./w"\n')
    assert cfg.data["processes"] == {"web": "./web", "worker": "./w"}
    assert cfg.location("processes", "worker").line == 6


def test_empty_processes_list_is_dropped() -> None:
    assert "processes" not in load('app = "a"\n[[processes]]\n').data


@pytest.mark.parametrize(("section", "target"), [("mount", "mounts"), ("mounts", "mounts"),
                                                  ("metric", "metrics"), ("metrics", "metrics"),
                                                  ("vm", "vm"), ("compute", "vm"), ("computes", "vm")])
def test_single_tables_become_lists(section: str, target: str) -> None:
    cfg = load(f'app = "a"\n\n[{section}]\nsource = "data"\n' if "mount" in section
               else f'app = "a"\n\n[{section}]\n' + ('port = 9\n' if "metric" in section else 'memory = 512\n'))
    assert isinstance(cfg.data[target], list) and len(cfg.data[target]) == 1
    assert cfg.location(target, 0).line == 3
    assert cfg.location(target, 0).key == section


def test_vm_and_compute_arrays_are_concatenated() -> None:
    cfg = load('app = "a"\n[[vm]]\nsize = "shared-cpu-2x"\n[[compute]]\nmemory = "1gb"\n')
    assert [v.get("size") for v in cfg.data["vm"]] == ["shared-cpu-2x", None]
    assert cfg.location("vm", 1, "memory").line == 5


def test_experimental_kill_timeout_and_metrics_are_moved() -> None:
    cfg = load('app = "a"\n[experimental]\ncmd = "cmd"\nkill_timeout = 3\nmetrics_port = 9000\nmetrics_path = "/m"\n')
    assert cfg.data["kill_timeout"] == 3.0
    assert cfg.data["metrics"] == [{"port": 9000, "path": "/m"}]
    assert cfg.data["experimental"]["cmd"] == ["cmd"]
    assert cfg.location("kill_timeout").line == 4


def test_old_service_format() -> None:
    cfg = load("""app = "a"
[[services]]
  internal_port = "8080"
  concurrency = "12,23"
  auto_stop_machines = false
  [[services.ports]]
  port = "80"
  [[services.tcp_checks]]
    interval = 10000
    timeout = 2000
  [[services.http_checks]]
    interval = "20s"
    grace_period = ""
    [[services.http_checks.headers]]
      name = "origin"
      value = "http://localhost"
""")
    service = cfg.data["services"][0]
    assert service["internal_port"] == 8080
    assert service["concurrency"] == {"type": "requests", "soft_limit": 12, "hard_limit": 23}
    assert service["auto_stop_machines"] == "off"
    assert service["ports"][0]["port"] == 80
    assert service["tcp_checks"][0] == {"interval": 10.0, "timeout": 2.0}
    assert service["http_checks"][0] == {"interval": 20.0, "headers": {"origin": "http://localhost"}}


def test_autostop_bool_true_is_stop() -> None:
    cfg = load('app = "a"\n[http_service]\ninternal_port = 8080\nauto_stop_machines = true\n')
    assert cfg.data["http_service"]["auto_stop_machines"] == "stop"


def test_build_target_is_renamed() -> None:
    cfg = load('app = "a"\n[build]\nbuild_target = "prod"\n')
    assert cfg.data["build"] == {"build-target": "prod"}
    assert cfg.location("build", "build-target").line == 3


def test_empty_services_section_is_dropped() -> None:
    cfg = load('app = "a"\n[[services]]\n[[services]]\ninternal_port = 1\n')
    assert cfg.data["services"] == [{"internal_port": 1}]
    assert cfg.location("services", 0).line == 3


def test_checks_list_with_names_and_empty_headers() -> None:
    cfg = load('app = "a"\n[checks.pg]\ntype = "http"\nport = 5500\nheaders = []\ninterval = 15000\n')
    assert cfg.data["checks"]["pg"] == {"type": "http", "port": 5500, "interval": 15.0}


def test_durations_and_release_vm() -> None:
    cfg = load('app = "a"\nkill_timeout = "1m30s"\n[deploy]\nrelease_command_vm.size = "performance-2x"\n'
               'release_command_vm.memory = "8g"\nwait_timeout = "500ms"\n')
    assert cfg.data["kill_timeout"] == 90.0
    assert cfg.data["deploy"]["wait_timeout"] == 0.5
    assert cfg.data["deploy"]["release_command_vm"] == {"size": "performance-2x", "memory": "8g"}


def test_integer_nanosecond_duration_warns() -> None:
    cfg = load('app = "a"\n[http_service]\ninternal_port = 1\n[[http_service.checks]]\ninterval = 30\n')
    warning = next(d for d in cfg.diagnostics if d.code == "HOP304")
    assert warning.location.line == 5
    assert "nanoseconds" in warning.message


# ----------------------------------------------------------------------------- keys


def test_unknown_key_with_did_you_mean_and_full_path() -> None:
    cfg = load('app = "a"\n[http_service]\ninternal_prot = 8080\n')
    (diag,) = cfg.diagnostics
    assert diag.code == "HOP302"
    assert "http_service.internal_prot" in diag.message
    assert diag.hint == "did you mean 'internal_port'?"
    assert (diag.location.line, diag.location.col) == (3, 1)


def test_unknown_section() -> None:
    cfg = load('app = "a"\n\n[[http_machine.checks]]\npath = "/"\n')
    (diag,) = cfg.diagnostics
    assert diag.code == "HOP302" and "section 'http_machine'" in diag.message
    assert diag.location.line == 3


def test_unknown_key_in_array_of_tables_names_the_index() -> None:
    cfg = load('app = "a"\n[http_service]\ninternal_port = 1\n[[http_service.checks]]\npath = "/"\n'
               '[[http_service.checks]]\nprocesses = ["app"]\n')
    (diag,) = cfg.diagnostics
    assert "http_service.checks[1].processes" in diag.message
    assert diag.location.line == 7


def test_case_insensitive_key_is_used_with_a_warning() -> None:
    cfg = load('app = "a"\n[http_service]\nInternal_Port = 8080\n')
    assert cfg.data["http_service"]["internal_port"] == 8080
    assert cfg.diagnostics[0].code == "HOP302"


def test_free_form_maps_are_not_checked() -> None:
    cfg = load('app = "a"\n[env]\nANYTHING = "x"\n[build.args]\nX = "1"\n[build.settings]\nfoo = 2\n'
               '[processes]\nweb = "run"\n')
    assert cfg.diagnostics == ()


def test_obsolete_keys_warn() -> None:
    cfg = load('app = "a"\n[experimental]\nprivate_network = true\n[[services]]\ninternal_port = 1\nscript_checks = []\n')
    assert codes(cfg) == ["HOP305", "HOP305"]


# ----------------------------------------------------------------------------- wrong types


@pytest.mark.parametrize(("text", "line", "col", "needle"), [
    ('app = "a"\n[http_service]\ninternal_port = "8080"\n', 3, 1, "must be an integer"),
    ('app = "a"\n[[services]]\nconcurrency = 20\n', 3, 1, "Unknown type for service concurrency: int64"),
    ('app = "a"\n[http_service]\nauto_stop_machines = "yes"\n', 3, 1, 'invalid autostop string value "yes"'),
    ('app = "a"\n[http_service]\nforce_https = "true"\n', 3, 1, "must be a boolean"),
    ('app = 5\n', 1, 1, "'app' must be a string"),
    ('app = "a"\n[deploy]\nwait_timeout = "5 minutes"\n', 3, 1, "invalid duration"),
    ('app = "a"\n[deploy]\nwait_timeout = "5"\n', 3, 1, "missing unit"),
    ('app = "a"\n[[services]]\ninternal_port = "http"\n', 3, 1, "Can not convert 'http'"),
    ('app = "a"\n[[services]]\nconcurrency = "lots"\n', 3, 1, "Unknown value 'lots'"),
    ('app = "a"\n[http_service]\nprocesses = "app"\n', 3, 1, "array of strings"),
    ('app = "a"\nhttp_service = 3\n', 2, 1, "must be a table"),
    ('app = "a"\nenv = "X=1"\n', 2, 1, "Do not know how to process 'env'"),
    ('app = "a"\n[http_service]\ninternal_port = 1\nchecks = { path = "/" }\n', 4, 1, "array of tables"),
])
def test_wrong_types_are_clean_errors_with_line_and_column(text: str, line: int, col: int, needle: str) -> None:
    with pytest.raises(InputError) as info:
        load(text)
    diag = info.value.diagnostic
    assert needle in diag.message
    assert (diag.location.line, diag.location.col) == (line, col)
    assert diag.code in ("HOP301", "HOP303")


def test_all_type_errors_are_reported_together() -> None:
    with pytest.raises(InputError) as info:
        load('app = "a"\nswap_size_mb = "1"\n[http_service]\nforce_https = 1\n')
    assert [d.location.line for d in info.value.diagnostics] == [2, 4]


# ----------------------------------------------------------------------------- bad input


def test_toml_syntax_error_has_line_and_column() -> None:
    with pytest.raises(InputError) as info:
        load('app = "a"\n[http_service\ninternal_port = 1\n')
    assert info.value.code == "HOP300"
    assert info.value.line == 2 and info.value.col is not None


def test_unterminated_document_has_a_line() -> None:
    with pytest.raises(InputError) as info:
        load('app = "a"\nx = [1,\n')
    assert info.value.code == "HOP300" and info.value.line is not None


def test_deep_nesting_is_a_limit_error() -> None:
    with pytest.raises(LimitError) as info:
        load("x = " + "[" * 2000 + "]" * 2000 + "\n")
    assert info.value.code == "HOP006"
    assert info.value.line == 1


def test_deep_nesting_unclosed() -> None:
    with pytest.raises(HopperError):
        load("x = " + "[" * 2000)


def test_deep_json_nesting_is_a_limit_error() -> None:
    with pytest.raises(LimitError):
        load('{"a": ' + "[" * 5000 + "]" * 5000 + "}", fmt="json")


def test_invalid_utf8() -> None:
    with pytest.raises(InputError) as info:
        parse_fly_config(b'app = "a"\nx = "\xff"\n', "fly.toml")
    assert info.value.code == "HOP003" and info.value.line == 2


def test_nul_byte() -> None:
    with pytest.raises(InputError) as info:
        parse_fly_config(b'app = "a"\x00\n', "fly.toml")
    assert info.value.code == "HOP003"


def test_oversized_file() -> None:
    with pytest.raises(LimitError):
        parse_fly_config(b"a" * 200, "fly.toml", limits=Limits(max_file_bytes=100))


def test_empty_file_loads_without_app() -> None:
    cfg = parse_fly_config(b"", "fly.toml")
    assert cfg.data == {} and cfg.app is None


def test_bom_and_crlf_are_accepted() -> None:
    cfg = parse_fly_config(b'\xef\xbb\xbfapp = "a"\r\n[env]\r\nX = "1"\r\n', "fly.toml")
    assert cfg.app == "a" and cfg.data["env"] == {"X": "1"}
    assert cfg.location("env", "X").line == 3


# ----------------------------------------------------------------------------- JSON and YAML


def test_fly_json() -> None:
    cfg = load('{"app": "a", "http_service": {"internal_port": 8080, "auto_stop_machines": false}}', fmt="json")
    assert cfg.data["http_service"] == {"internal_port": 8080, "auto_stop_machines": "off"}


def test_fly_json_syntax_error() -> None:
    with pytest.raises(InputError) as info:
        load('{"app": "a",\n  "x": }', fmt="json")
    assert info.value.line == 2


def test_fly_yaml_with_positions() -> None:
    cfg = load("app: a\nhttp_service:\n  internal_port: 8080\n  intenal: 1\n", fmt="yaml")
    assert cfg.data["http_service"]["internal_port"] == 8080
    (diag,) = cfg.diagnostics
    assert diag.location.line == 4 and diag.hint == "did you mean 'internal_port'?"


def test_fly_yaml_wrong_type_has_position() -> None:
    with pytest.raises(InputError) as info:
        load("app: a\nhttp_service:\n  internal_port: eighty\n", fmt="yaml")
    assert info.value.line == 3


# ----------------------------------------------------------------------------- units


@pytest.mark.parametrize(("text", "seconds"), [("1m21s", 81.0), ("500ms", 0.5), ("1.5h", 5400.0),
                                               ("0", 0.0), ("2h45m", 9900.0), ("10us", 1e-5)])
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5", "1d", "m", "1.2.3s", "s5"])
def test_bad_go_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(("value", "mb"), [(512, 512), ("1gb", 1024), ("8g", 8192), ("4G", 4096),
                                            ("512mb", 512), ("256MiB", 256), ("2048", 2048)])
def test_memory_sizes_are_binary(value: object, mb: int) -> None:
    assert memory_mb(value) == mb


@pytest.mark.parametrize(("value", "gb"), [(10, 10), ("30gb", 30), ("15Mb", 0), ("1TB", 1000)])
def test_volume_sizes_are_decimal(value: object, gb: int) -> None:
    assert volume_gb(value) == gb
