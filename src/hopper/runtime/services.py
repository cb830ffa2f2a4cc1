"""The backing services the setup script attaches, run for real in their own namespaces.

- PostgreSQL: Debian's server (``/usr/lib/postgresql/<major>/bin``), run as the ``postgres``
  user (it refuses root; in an unprivileged run, in a user namespace where that user is the
  one mapped). ``fly mpg attach`` gives the app
  ``postgresql://fly-user:<pw>@pgbouncer.<cluster>.flympg.net/fly-db``; ``fly postgres attach``
  gives ``postgres://<app>:<pw>@<pgapp>.flycast:5432/<app>?sslmode=disable`` (reference
  flyio.md §8.1-8.2). Each attachment gets its own role, password and database.
- Tigris: moto's S3 server. ``fly storage create`` gives ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL_S3``, ``AWS_REGION=auto`` and ``BUCKET_NAME``
  (§8.3); the endpoint is plain HTTP here (TLS is not emulated).

Passwords and keys are random per run and never printed.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hopper.runtime.launch import in_initial_user_namespace, write_spec
from hopper.runtime.machine import Machine, ProcessSpec
from hopper.runtime.netns import RuntimeProblem, socket_in
from hopper.runtime.network import App, PrivateNetwork, ServicePort

PG_ROOT = Path("/usr/lib/postgresql")
S3_HOST = "fly.storage.tigris.dev"


def postgres_bin(wanted: str = "") -> tuple[Path, str]:
    """The bin folder of the PostgreSQL to run (the requested major if installed, else the
    newest) and its major version."""
    majors = sorted((p.name for p in PG_ROOT.glob("*") if (p / "bin" / "postgres").exists()),
                    key=lambda v: int(v) if v.isdigit() else 0)
    if not majors:
        raise RuntimeProblem("PostgreSQL is not installed (no /usr/lib/postgresql/<major>/bin/postgres): "
                             "apt-get install postgresql")
    major = wanted if wanted in majors else majors[-1]
    return PG_ROOT / major / "bin", major


def have_moto() -> bool:
    import importlib.util  # noqa: PLC0415

    try:  # found without importing it (an import takes a second)
        return importlib.util.find_spec("moto.server") is not None
    except ImportError:
        return False


def _safe_identifier(text: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", text.lower())[:60] or "app"


@dataclass(slots=True)
class Postgres:
    net: PrivateNetwork
    workdir: Path
    cluster: str
    major: str = ""
    managed: bool = True
    machine: Machine | None = None
    major_used: str = ""
    urls: dict[str, str] = field(default_factory=dict)  # app -> URL (secret)
    bindir: Path = PG_ROOT
    sockets: Path = PG_ROOT

    def start(self) -> None:
        bindir, self.major_used = postgres_bin(self.major)
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeProblem("the 'postgres' user does not exist (PostgreSQL refuses to run as "
                                 "root): apt-get install postgresql") from None
        base = self.workdir / f"pg-{_safe_identifier(self.cluster)}"
        data, sockets = base / "data", base / "run"
        for path in (base, sockets):
            path.mkdir(parents=True, exist_ok=True)
            if in_initial_user_namespace():
                os.chown(path, pg_user.pw_uid, pg_user.pw_gid)
            # else: in the run's user namespace the launcher maps the postgres user onto the
            # run's root, which owns these folders
        spec = write_spec(base / "initdb.json", user="postgres", cwd=str(base), env={"PATH": "/usr/bin:/bin", "LANG": "C"},
                          argv=[str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                                "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"])
        done = subprocess.run([sys.executable, "-m", "hopper.runtime.launch", str(spec)],
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeProblem(f"initdb failed: {done.stderr.strip()[-300:]}")
        with open(data / "pg_hba.conf", "a", encoding="utf-8") as hba:  # Machines connect over 6PN
            hba.write("host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n")
        host = self.net.add_host("pg")
        self.machine = Machine(
            app=self.cluster, group="postgres", host=host, hub=self.net.fabric.hub,
            workdir=self.workdir, internal_port=5432, stop_signal=signal.SIGINT,
            spec=ProcessSpec(argv=(str(bindir / "postgres"), "-D", str(data), "-c", "listen_addresses=*",
                                   "-c", "port=5432", "-c", f"unix_socket_directories={sockets}",
                                   "-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=40"),
                             env={"PATH": "/usr/bin:/bin", "LANG": "C"}, cwd=str(base), user="postgres"))
        app = self.net.add_app(App(name=self.cluster, machines=[self.machine],
                                   ports=(ServicePort(port=5432, internal_port=5432, http=False, tls=False),)))
        self.machine.start()
        self.bindir, self.sockets = bindir, sockets
        self._wait_ready()
        if self.managed:
            self.net.names[f"pgbouncer.{self.cluster}.flympg.net"] = (host.ipv6,)
            self.net.names[f"direct.{self.cluster}.flympg.net"] = (host.ipv6,)
        else:
            self.net.allocate_flycast(app.name)

    def _wait_ready(self, timeout: float = 60) -> None:
        """It listens before it accepts sessions ("the database system is starting up")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run([str(self.bindir / "pg_isready"), "-q", "-h", str(self.sockets)],
                                  capture_output=True, timeout=30, check=False)
            if done.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeProblem(f"PostgreSQL for {self.cluster} did not accept sessions after {timeout:.0f}s")

    def attach(self, app_name: str) -> str:
        """Create a role and a database for ``app_name``; the URL ``attach`` would set."""
        if self.managed:
            user, database = (("fly-user", "fly-db") if not self.urls
                              else (f"fly-user-{len(self.urls) + 1}", f"fly-db-{len(self.urls) + 1}"))
        else:
            user = database = _safe_identifier(app_name)
        password = secrets.token_urlsafe(15)
        script = (f'CREATE ROLE "{user}" LOGIN PASSWORD \'{password}\';\n'
                  f'CREATE DATABASE "{database}" OWNER "{user}";\n')
        done = subprocess.run(
            [str(self.bindir / "psql"), "-h", str(self.sockets), "-U", "postgres", "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
            input=script, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeProblem(f"cannot create the database for {app_name}: "
                                 f"{done.stderr.strip().replace(password, '***')[-300:]}")
        if self.managed:
            url = f"postgresql://{user}:{password}@pgbouncer.{self.cluster}.flympg.net/{database}"
        else:
            url = f"postgres://{user}:{password}@{self.cluster}.flycast:5432/{database}?sslmode=disable"
        self.urls[app_name] = url
        return url


@dataclass(slots=True)
class ObjectStore:
    net: PrivateNetwork
    workdir: Path
    machine: Machine | None = None
    buckets: list[str] = field(default_factory=list)

    def start(self) -> None:
        if not have_moto():
            raise RuntimeProblem("the S3 server is missing: pip install 'moto[server]' "
                                 "(or pip install 'hopper-migrate[verify]')")
        host = self.net.add_host("s3")
        self.machine = Machine(
            app="tigris", group="s3", host=host, hub=self.net.fabric.hub, workdir=self.workdir,
            internal_port=80, start_timeout=60,
            spec=ProcessSpec(argv=(sys.executable, "-m", "moto.server", "-H", "::", "-p", "80"),
                             env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                  "HOME": str(self.workdir),
                                  # where hopper's Python finds moto, it finds it too
                                  **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ},
                                  # requests name Tigris's host: moto serves S3 under it too
                                  "MOTO_S3_CUSTOM_ENDPOINTS": f"http://{S3_HOST}"},
                             cwd=str(self.workdir)))
        self.net.add_app(App(name="tigris", machines=[self.machine]))
        self.machine.start()
        self.net.names[S3_HOST] = (host.ipv6,)

    def create(self, bucket: str) -> dict[str, str]:
        """Create ``bucket``; the variables ``fly storage create`` sets on the app."""
        assert self.machine is not None
        status = http_request(self.net.fabric.hub, self.machine.host.ipv4, 80, "PUT", f"/{bucket}",
                              host=S3_HOST)[0]
        if status not in (200, 409):
            raise RuntimeProblem(f"the S3 server refused to create bucket {bucket} (HTTP {status})")
        self.buckets.append(bucket)
        return {"AWS_ACCESS_KEY_ID": "tid_" + secrets.token_hex(12),
                "AWS_SECRET_ACCESS_KEY": "tsec_" + secrets.token_urlsafe(24),
                "AWS_ENDPOINT_URL_S3": f"http://{S3_HOST}", "AWS_REGION": "auto",
                "BUCKET_NAME": bucket}


def http_request(ns: str, address: str, port: int, method: str, path: str, *, host: str,
                 timeout: float = 10, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One HTTP/1.1 request from inside namespace ``ns``; (status, body)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket_in(ns, family)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: 0\r\n"
                     "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    except OSError as exc:
        return 0, str(exc).encode()
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        return int(head.split(b" ", 2)[1]), body
    except (IndexError, ValueError):
        return 0, data[:200]


def psql_available() -> bool:
    return shutil.which("psql") is not None or any(PG_ROOT.glob("*/bin/psql"))
