"""The checks ``hopper verify`` runs, each reported pass/fail with what was seen.

Requests come in as a visitor's would: through the edge's loopback port, so through Fly's proxy
headers, the front's real nginx and its emitted configuration, the Flycast proxy or the private
DNS, to the API's own process. Health checks go to the Machine over its private address, as
Fly's do. What the source declared (a body-size limit, gzip, an SPA fallback, a migration)
comes from reading ``--source`` with hopper's own reader; without it those checks are n/a.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hopper.runtime import build as building
from hopper.runtime.services import http_request, postgres_bin

if TYPE_CHECKING:
    from hopper.runtime.run import AppRun, Verifier

MIGRATION = re.compile(r"\bmigrat|prisma\s+(db\s+push|migrate)|knex\s+migrate|sequelize\b.*db:migrate|"
                       r"typeorm\b.*migration:run|drizzle-kit\s+(push|migrate)|alembic\s+upgrade|"
                       r"manage\.py\s+migrate|rails\s+db:migrate", re.IGNORECASE)
MAX_BODY_PROBE = 32 * 1024 * 1024
UNLIMITED_BODY_PROBE = 5 * 1024 * 1024  # issue 15: "a 5 MB upload against nginx's default body size"


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def summary(self) -> str:
        text = self.body[:160].decode("utf-8", errors="replace").replace("\n", " ").strip()
        return f"HTTP {self.status}" + (f" {text!r}" if text else "")


def edge_request(port: int, path: str, *, method: str = "GET", host: str = "app.fly.dev",
                 headers: dict[str, str] | None = None, body: bytes | None = None,
                 timeout: float = 30) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    except (OSError, http.client.HTTPException) as exc:
        return Response(0, {}, f"no response: {exc}".encode())
    finally:
        conn.close()


# -- before the Machines start -------------------------------------------------------------

def build_time_values(v: Verifier) -> None:
    """Every name a bundler inlines must have had a value while the front was built."""
    for run in v.runs.values():
        for result in (r for r in run.builds if r.built):
            names = building.inlined_names(result.package, v.tree)
            for name, where in sorted(names.items()):
                subject = f"{run.name} {name}"
                if building.output_contains(result.outputs, building.marker(name)):
                    how = result.env_names.get(name, "?")
                    v.check("build-time-value", subject, True,
                            f"read at {where}; the build got it ({how}) and inlined it")
                    continue
                v.check("build-time-value", subject, False,
                        f"read at {where} and inlined by the bundler, but the build had no value: "
                        f"{_where_set(v, name)}; the shipped files carry an empty value")


def _where_set(v: Verifier, name: str) -> str:
    places = []
    for run in v.runs.values():
        if name in (run.fly.get("env") or {}):
            places.append(f"set only at runtime in [env] of {run.fly.config_path}")
        if name in run.secrets:
            places.append(f"a runtime secret of {run.name}")
    return "; ".join(places) or "the Dockerfile declares no ARG for it or no deploy command passes it"


def migrations(v: Verifier) -> None:
    """The release command ran, or there was nothing to migrate."""
    for run in v.runs.values():
        if run.release:
            continue  # reported when it ran
        found = []
        if run.layout is not None:
            dockerfile = run.layout.dockerfile
            found += [f"RUN {cmd!r} in {dockerfile.file}" for st in dockerfile.stages
                      for cmd in st.runs if MIGRATION.search(cmd)]
        declared = _source_release(v, run)
        if declared:
            found.append(f"the source runs {declared!r} before it starts")
        if found:
            v.check("release-command", run.name, False,
                    "no [deploy] release_command, yet the set migrates: " + "; ".join(found)
                    + " — an image build has no database or secrets on Fly, and nothing runs it "
                      "before the Machines start")
        else:
            v.check("release-command", run.name, None, "no release command and no migration found")


def _source_release(v: Verifier, run: AppRun) -> str | None:
    model = v.source_model
    if model is None:
        return None
    for service in model.services:
        if run.name.endswith("-" + service.name.lower()) or run.fly.folder == service.name:
            command: str | None = service.runtime.release_command
            return command
    return None


# -- the running set -----------------------------------------------------------------------

def run_all(v: Verifier) -> None:
    for run in v.runs.values():
        if run.public:
            front(v, run)
    for run in v.runs.values():
        health(v, run)
        env_names(v, run)
        attachments(v, run)
    for run in v.runs.values():
        if run.public:
            wake(v, run)


def _edge(v: Verifier, run: AppRun) -> int:
    return v.net.edges[run.name][443]


def _nginx_conf(run: AppRun) -> Path | None:
    if run.layout is None:
        return None
    for target, host in run.layout.final.entries:
        if target == "/etc/nginx/nginx.conf":
            return host
    for f in run.fly.get("files") or []:
        if isinstance(f, dict) and f.get("guest_path") == "/etc/nginx/nginx.conf":
            return None  # handled through [[files]]; the conf is read from the set
    return None


@dataclass(frozen=True, slots=True)
class NginxRoute:
    prefix: str
    app: str  # the Fly app the upstream names
    strip: bool


def nginx_routes(conf: Path) -> list[NginxRoute]:
    import crossplane  # noqa: PLC0415

    parsed = crossplane.parse(str(conf), single=True, check_ctx=False, check_args=False)
    routes: list[NginxRoute] = []

    def walk(block: list[dict[str, Any]], variables: dict[str, str]) -> None:
        for d in block:
            if d["directive"] == "location" and d.get("block") is not None:
                inner = d["block"]
                local = dict(variables)
                for x in inner:
                    if x["directive"] == "set" and len(x["args"]) == 2:
                        local[x["args"][0]] = x["args"][1]
                upstream = next((x["args"][0] for x in inner if x["directive"] == "proxy_pass"), None)
                if upstream is not None:
                    target = local.get(upstream, upstream)
                    m = re.search(r"//([a-z0-9-]+)\.(flycast|internal)\b", target)
                    prefix = d["args"][-1]
                    strip = any(x["directive"] == "rewrite" and x["args"][1:2] == ["/$1"] for x in inner)
                    if m:
                        routes.append(NginxRoute(prefix=prefix, app=m.group(1), strip=strip))
                walk(inner, local)
            elif d.get("block") is not None:
                walk(d["block"], variables)

    for config in parsed["config"]:
        walk(config["parsed"], {})
    return routes


def _health_path(run: AppRun | None) -> str | None:
    if run is None:
        return None
    for check in (run.fly.get("http_service") or {}).get("checks") or []:
        if isinstance(check, dict) and check.get("path"):
            return str(check["path"])
    for check in (run.fly.get("checks") or {}).values():
        if isinstance(check, dict) and check.get("type") == "http" and check.get("path"):
            return str(check["path"])
    return None


def route_path(route: NginxRoute, target: AppRun | None) -> str:
    """The public path that reaches the target's health path (or its root) through the route."""
    health = _health_path(target) or "/"
    prefix = route.prefix if route.prefix.endswith("/") else route.prefix + "/"
    if route.strip:
        return prefix + health.lstrip("/")
    return health if health.startswith(prefix) else prefix + health.lstrip("/")


def _source_front(v: Verifier, run: AppRun) -> Any:
    model = v.source_model
    if model is None:
        return None
    for service in model.services:
        if service.static_site is not None and (run.fly.folder == service.name
                                                 or run.name.endswith("-" + service.name.lower())):
            return service
    return None


def front(v: Verifier, run: AppRun) -> None:
    port = _edge(v, run)
    index = edge_request(port, "/")
    is_html = index.status == 200 and b"<html" in index.body.lower()
    v.check("index", f"{run.name} /", is_html, index.summary())
    service = _source_front(v, run)
    site = service.static_site if service is not None else None
    deep = edge_request(port, "/some/deep/link")
    if site is not None and not site.spa_fallback:
        v.check("deep-link", run.name, None, f"the source has no SPA fallback; {deep.summary()}")
    else:
        v.check("deep-link", f"{run.name} /some/deep/link", deep.status == 200 and deep.body == index.body,
                "served index.html" if deep.status == 200 and deep.body == index.body else deep.summary())
    conf = _nginx_conf(run)
    gzip_expected = site.gzip if site is not None else bool(conf and re.search(r"^\s*gzip\s+on;", conf.read_text(), re.M))
    asset = _asset(run)
    if not gzip_expected:
        v.check("gzip", run.name, None, "the source does not compress")
    elif asset is None:
        v.check("gzip", run.name, None, "no .js/.css file over 256 bytes to ask for")
    else:
        got = edge_request(port, "/" + asset, headers={"Accept-Encoding": "gzip"})
        encoding = got.headers.get("content-encoding", "")
        v.check("gzip", f"{run.name} /{asset}", got.status == 200 and encoding == "gzip",
                f"HTTP {got.status}, Content-Encoding: {encoding or '(none)'}")
    if conf is None:
        return
    for route in nginx_routes(conf):
        target = v.runs.get(route.app)
        path = route_path(route, target)
        got = edge_request(port, path)
        ok = 200 <= got.status < 300
        seen = got.summary()
        if not ok:
            seen += _nginx_error(v, run)
        v.check("route", f"{run.name} {route.prefix} -> {route.app} (GET {path})", ok, seen)
        body_limit(v, run, route, port, path)


def _nginx_error(v: Verifier, run: AppRun) -> str:
    if run.app is None or not run.app.machines:
        return ""
    lines = [line for line in run.app.machines[0].log_tail(40).splitlines() if "[error]" in line]
    return f"; nginx: {lines[-1][-300:]}" if lines else ""


def _asset(run: AppRun) -> str | None:
    for result in run.builds:
        for base in result.outputs:
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if path.suffix in (".js", ".css") and path.is_file() and path.stat().st_size > 256:
                    return path.relative_to(base).as_posix()
    return None


def _size(text: str) -> int | None:
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", text.strip())
    if not m:
        return None
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[m.group(2).lower()]


def body_limit(v: Verifier, run: AppRun, route: NginxRoute, port: int, path: str) -> None:
    """A body of the size the source accepted on the route passes nginx and the proxy.

    The size is the limit the source declares for the route; a source without one reached its
    API without an nginx limit (a Clever app, a published port), so 5 MB then — issue 15's
    upload, five times nginx's 1 MB default. Without ``--source`` there is nothing to compare
    with (n/a)."""
    service = _source_front(v, run)
    subject = f"{run.name} {route.prefix}"
    if service is None:
        v.check("body-limit", subject, None, "without the source's front, no declared body size to probe")
        return
    declared: str | None = None
    for r in service.routes:
        if r.path_prefix.rstrip("/") == route.prefix.rstrip("/"):
            declared = r.body_size_limit
    limit = _size(declared) if declared else None
    if limit is None and declared:
        v.check("body-limit", subject, None, f"the source's body size {declared!r} is not a size this check reads")
        return
    if limit:
        size, allowed = min(limit, MAX_BODY_PROBE), f"the source allows {declared}"
    else:
        size, allowed = UNLIMITED_BODY_PROBE, ("the source sets no limit" if declared is None
                                               else "the source allows any size")
    got = edge_request(port, path, method="POST", body=b"x" * size,
                       headers={"Content-Type": "application/octet-stream"})
    # Only a refusal for size fails: an API that answers before reading the body (a 404 for
    # this probe path) may make nginx report the upstream closed early, after it took the body.
    ok = got.status not in (0, 413)
    v.check("body-limit", subject, ok,
            f"POST of {size / 1024 / 1024:.1f} MiB ({allowed}): HTTP {got.status}"
            + ("" if ok else f" {got.summary()}{_nginx_error(v, run)}"))


def health(v: Verifier, run: AppRun) -> None:
    if run.app is None:
        return
    service = run.fly.get("http_service") or {}
    checks = [c for c in service.get("checks") or [] if isinstance(c, dict)]
    checks += [c for c in (run.fly.get("checks") or {}).values()
               if isinstance(c, dict) and c.get("type") == "http"]
    if not checks:
        return
    for machine in run.app.machines:
        if machine.internal_port is None:
            continue
        for check in checks:
            path = str(check.get("path") or "/")
            port = int(check.get("port") or machine.internal_port)
            headers = check.get("headers") or {}
            status, body = _machine_get(v, machine.host.ipv4, port, path, headers)
            text = body[:160].decode("utf-8", errors="replace").strip()
            v.check("health", f"{machine.name} GET {path}", 200 <= status < 300,
                    f"HTTP {status} {text!r}" if status else f"no answer: {text}")


def _machine_get(v: Verifier, address: str, port: int, path: str,
                 headers: dict[str, str]) -> tuple[int, bytes]:
    return http_request(v.net.fabric.hub, address, port, "GET", path, host=address,
                        headers={str(k): str(val) for k, val in headers.items()})


def env_names(v: Verifier, run: AppRun) -> None:
    """Every env var the code reads without a fallback is set in the running process."""
    if run.app is None or run.layout is None:
        return
    for machine in run.app.machines:
        if not machine.started or machine.process is None:
            continue
        environ = building.environ_of(machine.process.pid)
        if environ is None:
            continue
        code_dir = Path(machine.spec.cwd).resolve()
        if not code_dir.is_relative_to(v.tree.resolve()):
            continue
        from hopper.envscan import scan_paths  # noqa: PLC0415

        rel = code_dir.relative_to(v.tree.resolve()).as_posix() or "."
        required: dict[str, str] = {}
        for read in scan_paths(v.tree, (rel,)).reads:
            if read.build_time or read.language not in ("javascript", "typescript", "python"):
                continue
            if building.has_fallback(building.read_line(v.tree, read.file, read.line), read.name):
                continue
            required.setdefault(read.name, f"{read.file}:{read.line}")
        if not required:
            v.check("env", machine.name, None, "the code reads no variable without a fallback")
            continue
        missing = {n: w for n, w in required.items() if not environ.get(n)}
        if missing:
            v.check("env", machine.name, False, "not set: " + ", ".join(f"{n} (read at {w})" for n, w in sorted(missing.items())))
        else:
            v.check("env", machine.name, True, "set: " + ", ".join(sorted(required)))


def attachments(v: Verifier, run: AppRun) -> None:
    """The database URL and the bucket the app was given work from the app's Machine."""
    if run.app is None or not run.app.machines:
        return
    machine = run.app.machines[0]
    for name, url in run.secrets.items():
        if not url.startswith(("postgres://", "postgresql://")):
            continue
        parts = urlsplit(url)
        bindir, _ = postgres_bin()
        env = {"PATH": "/usr/bin:/bin", "PGHOST": parts.hostname or "", "PGPORT": str(parts.port or 5432),
               "PGUSER": parts.username or "", "PGPASSWORD": parts.password or "",
               "PGDATABASE": parts.path.lstrip("/"), "PGCONNECT_TIMEOUT": "5"}
        done = v.net.fabric.run_in(machine.host, [str(bindir / "psql"), "-XAtqc",
                                                  "select current_user || '@' || current_database()"],
                                   env=env, timeout=30)
        ok = done.returncode == 0
        seen = (f"connected as {done.stdout.strip()} via {parts.hostname}" if ok
                else (done.stderr.strip().replace(parts.password or "\0", "***")[-200:]))
        v.check("attachment", f"{run.name} {name}", ok, seen)
    env = {**{str(k): str(val) for k, val in (run.fly.get("env") or {}).items()}, **run.secrets}
    for name, url in sorted(env.items()):
        if url.startswith(("redis://", "rediss://")):
            v.check("attachment", f"{run.name} {name}", *_redis_ping(v, machine.host.ns, url))
    bucket = run.secrets.get("BUCKET_NAME")
    endpoint = run.secrets.get("AWS_ENDPOINT_URL_S3")
    if bucket and endpoint:
        host = urlsplit(endpoint).hostname or ""
        addresses = v.net.lookup(host) or ()
        status = http_request(v.net.fabric.hub, addresses[0], 80, "HEAD", f"/{bucket}", host=host)[0] if addresses else 0
        v.check("attachment", f"{run.name} BUCKET_NAME", status == 200,
                f"bucket {bucket} at {endpoint}: HTTP {status}")


def _redis_ping(v: Verifier, ns: str, url: str) -> tuple[bool, str]:
    """PING the Redis a URL names, from the app's namespace, through the private DNS's answer."""
    import socket  # noqa: PLC0415

    from hopper.runtime.netns import socket_in  # noqa: PLC0415

    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 6379
    addresses = v.net.lookup(host) or ()
    if not addresses:
        return False, f"{host} does not resolve on the private network"
    sock = socket_in(ns, socket.AF_INET6)
    sock.settimeout(5)
    try:
        sock.connect((addresses[0], port))
        if parts.password:
            sock.sendall(f"AUTH {parts.password}\r\n".encode())
            sock.recv(256)
        sock.sendall(b"PING\r\n")
        reply = sock.recv(256).decode(errors="replace").strip()
    except OSError as exc:
        return False, f"{host}:{port} ({addresses[0]}): {exc.strerror or exc}"
    finally:
        sock.close()
    return reply == "+PONG", f"PING to {host}:{port} ({addresses[0]}) answered {reply or 'nothing'}"


def wake(v: Verifier, run: AppRun) -> None:
    """Stop each autostopping API the front reaches; the next request must start it again."""
    conf = _nginx_conf(run)
    if conf is None:
        return
    port = _edge(v, run)
    for route in nginx_routes(conf):
        target = v.runs.get(route.app)
        if target is None or target.app is None:
            continue
        service = target.fly.get("http_service") or {}
        autostop = service.get("auto_stop_machines", "off")
        if autostop in (False, "off"):
            v.check("wake", f"{route.app} via {run.name}", None, "auto_stop_machines is off: it never stops")
            continue
        for machine in target.app.machines:
            machine.stop()
        answered = v.net.lookup(f"{route.app}.internal")
        path = route_path(route, target)
        started = time.monotonic()
        got = edge_request(port, path)
        woke = any(m.started for m in target.app.machines)
        ok = 200 <= got.status < 300 and woke
        v.check("wake", f"{route.app} via {run.name}", ok,
                f"stopped it (.internal then answered {list(answered or []) or 'nothing'}); GET {path}: "
                f"{got.summary()} after {time.monotonic() - started:.1f}s; "
                f"{'the proxy started it' if woke else 'nothing started it'}"
                + ("" if ok else _nginx_error(v, run)))
