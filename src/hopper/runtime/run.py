"""``hopper verify``: deploy an emitted Fly set on the local Fly-like runtime and check it.

The order follows a first ``fly deploy``: the deploy commands must find their fly.toml; each
image's build outputs are built; the database and bucket are created and attached; secrets are
staged; ``release_command`` runs once and a failure stops everything; then the Machines start,
private apps get their Flycast address and public apps their edge. The checks
(:mod:`hopper.runtime.checks`) then use the set as a visitor and as Fly would. Whatever
happens — a failed check, an exception, Ctrl-C, SIGTERM — every process, namespace and
temporary file is removed before :func:`verify` returns or raises.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hopper.runtime import build as building
from hopper.runtime.flyset import FlyApp, FlySet, read_set
from hopper.runtime.image import (
    ImageLayout,
    known_image,
    layout_for_image,
    machine_launch,
    read_layout,
)
from hopper.runtime.launch import in_initial_user_namespace
from hopper.runtime.machine import Machine, MachineFailed, ProcessSpec
from hopper.runtime.netns import RuntimeProblem
from hopper.runtime.network import App, PrivateNetwork, ServicePort
from hopper.runtime.report import Check, Report
from hopper.runtime.sandbox import Interrupted as Interrupted  # the CLI catches it from here
from hopper.runtime.sandbox import check_capabilities, isolated
from hopper.runtime.services import ObjectStore, Postgres, have_moto, postgres_bin

Progress = Callable[[str], None]
RELEASE_TIMEOUT = 300.0
COPY_IGNORE = shutil.ignore_patterns(".git", "node_modules")


@dataclass(eq=False)
class AppRun:
    """One Fly app as deployed here."""

    fly: FlyApp
    layout: ImageLayout | None = None
    builds: list[building.BuildResult] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # the Machine's env before its entrypoint
    secrets: dict[str, str] = field(default_factory=dict)
    app: App | None = None
    public: bool = False
    release: str | None = None

    @property
    def name(self) -> str:
        return self.fly.name


class Verifier:
    def __init__(self, out: Path, source: Path | None, progress: Progress, hold: bool = False) -> None:
        self.out, self.source, self.progress, self.hold = out, source, progress, hold
        self.report = Report()
        # The pid in the name tells whose it is (a test looks for a run's leftovers by it).
        self.workdir = Path(tempfile.mkdtemp(prefix=f"hopper-verify-{os.getpid()}-", dir=_scratch()))
        os.chmod(self.workdir, 0o755)  # the postgres user and the Machines' users traverse it
        self.tree = self.workdir / "tree"
        self.net = PrivateNetwork(scratch=self.workdir)
        self.runs: dict[str, AppRun] = {}
        self.flyset: FlySet | None = None
        self.source_model: Any = None

    # -- helpers ----------------------------------------------------------------------------
    def check(self, name: str, subject: str, ok: bool | None, seen: str) -> Check:
        item = Check(name=name, subject=subject, ok=ok, seen=seen)
        self.report.checks.append(item)
        self.progress(f"  {item.status:>4}  {name} {subject}: {seen}")
        return item

    def step(self, text: str) -> None:
        self.progress(f"== {text}")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.net.close()
        for edge in self.net.outside.values():
            edge.sock.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> Report:
        self.step("read the Fly set")
        self.flyset = read_set(self.out)
        if not self.flyset.apps:
            raise RuntimeProblem(f"{self.out}: no fly.toml found: is this a folder hopper convert --to fly wrote?")
        for problem in self.flyset.problems:
            self.check("read", "set", False, problem)
        self.preflight()
        self.prepare_tree()
        self.load_source()
        if not self.deploy_commands():
            self.report.stopped = "flyctl would not find an app's configuration: nothing was deployed"
            return self.report
        self.step("build the images' outputs")
        if not self.build_images():
            self.report.stopped = "an image build failed: nothing was deployed"
            return self.report
        from hopper.runtime import checks  # noqa: PLC0415

        checks.build_time_values(self)
        if self.hold:
            from hopper.runtime.hold import outside_edges  # noqa: PLC0415

            self.net.outside = outside_edges(
                (name, port) for name, fly in self.flyset.apps.items()
                if name not in self.flyset.private_apps for port, _groups in _services(fly))
        # The rest runs in namespaces of its own that die with it (hopper.runtime.sandbox):
        # as root, or as root of a user namespace for an unprivileged user.
        return isolated(self.deploy_and_check)

    def deploy_and_check(self) -> Report:
        """Deploy the built set and check it; stops everything it started before it returns."""
        from hopper.runtime import checks  # noqa: PLC0415

        try:
            self.step("start the private network, PostgreSQL and object storage")
            self.net.start()
            self.attach_services()
            self.step("release commands")
            if not self.release_commands():
                self.report.stopped = "a release command failed: Fly stops the deploy before any Machine starts"
                return self.report
            checks.migrations(self)
            self.step("start the Machines")
            self.start_machines()
            self.step("check the running set")
            checks.run_all(self)
            if self.hold:
                from hopper.runtime.hold import hold  # noqa: PLC0415

                hold({key: edge for key, edge in self.net.outside.items() if key[0] in self.net.edges},
                     self.progress)
            return self.report
        finally:
            self.step("stop the Machines and the network")
            self.net.close()

    def preflight(self) -> None:
        """Every missing capability at once, before anything is created."""
        missing: list[str] = []
        try:
            check_capabilities()
        except RuntimeProblem as exc:
            missing.append(str(exc))
        try:
            import dnslib  # noqa: F401, PLC0415
        except ImportError:
            missing.append("the dnslib package (pip install 'hopper-migrate[verify]')")
        assert self.flyset is not None
        kinds = {a.kind for a in self.flyset.attachments}
        if "postgres" in kinds:
            try:
                postgres_bin()
            except RuntimeProblem as exc:
                missing.append(str(exc))
        if "storage" in kinds and not have_moto():
            missing.append("the S3 server (pip install 'moto[server]')")
        for fly in self.flyset.apps.values():
            command = known_image(str(fly.get("build", "image") or ""))
            if command and shutil.which(command[0]) is None:
                missing.append(f"{command[0]} for the image {fly.get('build', 'image')} "
                               f"(apt-get install {command[0]})")
        for tool, package in (("nginx", "nginx-light"), ("node", "nodejs"), ("npm", "npm")):
            if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
                missing.append(f"{tool} (apt-get install {package})")
        if missing:
            raise RuntimeProblem("this machine cannot run the set: missing " + "; ".join(missing))

    def prepare_tree(self) -> None:
        """The repository as flyctl would see it: the source with the set copied over it."""
        self.step("lay out the repository with the set copied in")
        base = self.source or self.out
        shutil.copytree(base, self.tree, ignore=COPY_IGNORE, symlinks=True)
        if self.source is not None:
            shutil.copytree(self.out, self.tree, ignore=COPY_IGNORE, symlinks=True, dirs_exist_ok=True)

    def load_source(self) -> None:
        if self.source is None:
            return
        try:
            import hopper  # noqa: PLC0415

            self.source_model = hopper.load(self.source).model
        except Exception as exc:  # the source is context, not the subject: say and go on
            self.report.notes.append(f"the source could not be read ({exc}); checks that need "
                                     "what it declares are not applicable")

    def deploy_commands(self) -> bool:
        self.step("deploy commands (flyctl's path rules)")
        assert self.flyset is not None
        ok = True
        for deploy in self.flyset.deploys:
            resolved = deploy.resolved_config()
            if (self.tree / resolved).is_file():
                self.check("deploy-config", deploy.where, True, f"`{deploy.text}` reads {resolved}")
            else:
                ok = False
                hint = (f"flyctl changes into {deploy.workdir}/ before it reads --config"
                        if deploy.workdir not in (".", "") else "no such file")
                self.check("deploy-config", deploy.where, False,
                           f"`{deploy.text}` looks for {resolved}, which does not exist ({hint})")
        for fly in self.flyset.apps.values():
            if not fly.deploys:
                ok = False
                self.check("deploy-config", fly.name, False,
                           f"no flyctl deploy command in fly-setup.sh or the workflows reads {fly.config_path}")
        return ok

    def build_images(self) -> bool:
        assert self.flyset is not None
        home = building.writable_home(self.workdir)
        ok = True
        for fly in self.flyset.apps.values():
            run = AppRun(fly=fly)
            self.runs[fly.name] = run
            deploy = next((d for d in fly.deploys if d.build_args or d.build_secrets), fly.deploys[0])
            image = fly.get("build", "image")
            if image and not fly.get("build", "dockerfile"):
                services = _services(fly)
                port = services[0][0].internal_port if services else None
                run.layout = layout_for_image(str(image), port, self.tree / deploy.workdir)
                self.report.notes.append(f"{fly.name}: the image {image} runs as this machine's "
                                         f"{run.layout.final.cmd[0]}")
                continue
            dockerfile = self.tree / fly.folder / str(fly.get("build", "dockerfile") or "Dockerfile")
            context = self.tree / deploy.workdir
            args = {name: building.marker(name) for name in deploy.build_args}
            for name, value in (fly.get("build", "args") or {}).items():
                args[str(name)] = str(value)
            run.layout = read_layout(dockerfile, context, self.tree, args)
            self.report.notes.extend(f"{fly.name}: {n}" for n in run.layout.notes)
            version_note = _version_difference(run.layout)
            if version_note:
                self.report.notes.append(f"{fly.name}: {version_note}")
            run.builds = building.build_stage_outputs(run.layout, self.tree, home,
                                                      set(args), set(deploy.build_secrets))
            for result in run.builds:
                rel = result.package.relative_to(self.tree).as_posix()
                if result.ok:
                    self.progress(f"  built {rel} for {fly.name}")
                else:
                    ok = False
                    self.check("build", fly.name, False, f"building {rel} failed: {result.log[-400:]}")
            for target, host in run.layout.final.entries:
                if not host.exists():
                    ok = False
                    self.check("build", fly.name, False,
                               f"the image copies {target} from {host.relative_to(self.tree)}, which "
                               "the build did not produce")
        return ok

    def attach_services(self) -> None:
        assert self.flyset is not None
        postgres: dict[str, Postgres] = {}
        store: ObjectStore | None = None
        for attachment in self.flyset.attachments:
            if attachment.kind == "postgres" and attachment.resource not in postgres:
                postgres[attachment.resource] = Postgres(
                    net=self.net, workdir=self.workdir, cluster=attachment.resource,
                    major=self.flyset.postgres_versions.get(attachment.resource, ""),
                    managed=attachment.managed)
                self.progress(f"  starting PostgreSQL for {attachment.resource}")
            elif attachment.kind == "storage" and store is None:
                store = ObjectStore(net=self.net, workdir=self.workdir)
                self.progress("  starting the S3 server")
        # Started side by side: initdb and the S3 server's start-up are the slowest steps.
        services: list[Postgres | ObjectStore] = [*postgres.values(), *([store] if store else [])]
        with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
            for future in [pool.submit(service.start) for service in services]:
                future.result()
        for pg in postgres.values():
            if pg.major and pg.major_used != pg.major:
                self.report.notes.append(f"PostgreSQL {pg.major_used} runs here; the set asks for {pg.major}")
        for attachment in self.flyset.attachments:
            run = self.runs.get(attachment.app)
            if run is None:
                self.check("attach", attachment.app, False, "the setup script attaches to an app with no fly.toml")
                continue
            if attachment.kind == "postgres":
                run.secrets[attachment.variable] = postgres[attachment.resource].attach(attachment.app)
            elif store is not None:
                run.secrets.update(store.create(attachment.resource))
        for app_name, names in self.flyset.staged_secrets.items():
            run = self.runs.get(app_name)
            if run is None:
                continue
            for name in names:
                run.secrets.setdefault(name, building.marker(name))

    def machine_env(self, run: AppRun, group: str, ipv6: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        assert run.layout is not None
        fly = run.fly
        env = building.base_env(self.workdir / "home")
        env.pop("CI", None)
        env.update(run.layout.final.env)
        for key, value in (fly.get("env") or {}).items():
            env[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
        region = str(fly.get("primary_region") or "iad")
        env.update({"FLY_APP_NAME": fly.name, "FLY_MACHINE_ID": f"verify{abs(hash(ipv6)) % 10**8:08d}",
                    "FLY_REGION": region, "PRIMARY_REGION": region, "FLY_PROCESS_GROUP": group,
                    "FLY_PRIVATE_IP": ipv6, "FLY_IMAGE_REF": f"registry.fly.io/{fly.name}:verify"})
        env.update(run.secrets)  # secrets win over [env]
        env.update(extra or {})
        return env

    def _launch(self, run: AppRun, process: str | None, rootfs: Path) -> tuple[tuple[str, ...], str, tuple[tuple[str, str], ...], str | None]:
        assert run.layout is not None
        files = {str(f.get("guest_path")): self.tree / run.fly.folder / str(f.get("local_path"))
                 for f in (run.fly.get("files") or []) if isinstance(f, dict) and f.get("local_path")}
        launch = machine_launch(run.layout, process, files, rootfs)
        user = launch.user
        if user and not _user_exists(user):
            self.report.notes.append(f"{run.name}: the image runs as user '{user}', which this machine "
                                     "does not have; the Machine runs as root")
            user = None
        argv = launch.argv
        if not user and not in_initial_user_namespace():
            argv = _nginx_workers_as_root(argv, launch.binds)
            if argv != launch.argv:
                self.report.notes.append(f"{run.name}: nginx's workers run as root (an unprivileged "
                                         "run's user namespace has no other user to switch to)")
        return argv, launch.cwd, launch.binds, user

    def release_commands(self) -> bool:
        for run in self.runs.values():
            command = run.fly.get("deploy", "release_command")
            if not command:
                continue
            run.release = str(command)
            host = self.net.add_host("rel")
            rootfs = self.workdir / f"rootfs-{run.name}-release"
            argv, cwd, binds, user = self._launch(run, None, rootfs)
            assert run.layout is not None
            entry = len(run.layout.final.entrypoint)
            argv = argv[:entry] + tuple(shlex.split(run.release))  # replaces CMD, keeps ENTRYPOINT
            env = self.machine_env(run, "fly_app_release_command", host.ipv6, {"RELEASE_COMMAND": "1"})
            machine = Machine(app=run.name, group="release_command", host=host, hub=self.net.fabric.hub,
                              workdir=self.workdir, internal_port=None,
                              spec=ProcessSpec(argv=argv, env=env, cwd=cwd, binds=binds, user=user))
            self.progress(f"  {run.name}: release_command `{run.release}`")
            machine.start()
            assert machine.process is not None
            try:
                code = machine.process.wait(RELEASE_TIMEOUT)
            except subprocess.TimeoutExpired:
                machine.stop()
                code = None
            tail = machine.log_tail(6)
            if code == 0:
                self.check("release-command", run.name, True, f"`{run.release}` ran once and exited 0"
                           + (f"; output: {tail}" if tail else ""))
            else:
                what = "timed out" if code is None else f"exited {code}"
                self.check("release-command", run.name, False, f"`{run.release}` {what}: {tail}")
                return False
        return True

    def start_machines(self) -> None:
        assert self.flyset is not None
        for run in self.runs.values():
            fly = run.fly
            processes = fly.get("processes") or {}
            groups = list(processes) or ["app"]
            services = _services(fly)
            app = self.net.add_app(App(name=fly.name))
            run.app = app
            ports: list[ServicePort] = []
            for group in groups:
                group_services = [s for s in services if group in s[1]]
                internal = group_services[0][0].internal_port if group_services else None
                ports.extend(service for service, _ in group_services)
                host = self.net.add_host("m")
                rootfs = self.workdir / f"rootfs-{host.ns}"
                argv, cwd, binds, user = self._launch(run, processes.get(group) or None, rootfs)
                env = self.machine_env(run, group, host.ipv6)
                app.machines.append(Machine(app=fly.name, group=group, host=host, hub=self.net.fabric.hub,
                                            workdir=self.workdir, internal_port=internal,
                                            spec=ProcessSpec(argv=argv, env=env, cwd=cwd, binds=binds, user=user)))
            app.ports = tuple(dict.fromkeys(ports))
            app.auto_start = _auto_start(fly)
            for machine in app.machines:
                try:
                    machine.start()
                    self.check("machine-start", machine.name, True,
                               f"listening on {machine.host.ipv4}:{machine.internal_port}"
                               if machine.internal_port else "running")
                except MachineFailed as exc:
                    self.check("machine-start", machine.name, False, f"{exc}: {machine.log_tail()}")
            if fly.name in self.flyset.private_apps:
                self.net.allocate_flycast(fly.name)
            elif app.ports:
                run.public = True
                self.net.open_edge(fly.name)


def _scratch() -> str:
    """A memory-backed folder when there is one: PostgreSQL's data folder alone is ~1300 files,
    which take seconds to create and remove on a busy disk."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        stats = os.statvfs(shm)
        if stats.f_bavail * stats.f_frsize >= 512 * 1024 * 1024:  # a container's may be 64 MB
            _sweep(shm)
            return str(shm)
    _sweep(Path("/var/tmp"))
    return "/var/tmp"


def _sweep(folder: Path) -> None:
    """Remove the work folders of this user's runs that were killed (SIGKILL skips clean-up;
    their processes and namespaces ended with them, their files did not)."""
    for path in folder.glob("hopper-verify-*-*"):
        pid = path.name.split("-")[2]
        with contextlib.suppress(OSError):
            if pid.isdigit() and path.stat().st_uid == os.geteuid() and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _host_version(tool: str) -> str:
    """The installed nginx's or Node's version ("1.22.1", "20.20.2"), or ""."""
    import re  # noqa: PLC0415

    try:
        done = subprocess.run([tool, "-v"] if tool == "nginx" else [tool, "--version"],
                              capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return ""
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", done.stdout + done.stderr)
    return m.group(1) if m else ""


def _version_difference(layout: ImageLayout) -> str | None:
    """Say when the image's nginx or Node is not the version that runs here."""
    stage = layout.dockerfile.final
    seen = set()
    while stage.image not in seen:  # FROM an earlier stage: its base image
        seen.add(stage.image)
        earlier = layout.dockerfile.stage(stage.image)
        if earlier is None or earlier is stage:
            break
        stage = earlier
    name, _, tag = stage.image.partition(":")
    tool = {"nginx": "nginx", "node": "node"}.get(name.rsplit("/", 1)[-1])
    if tool is None:
        return f"the image is based on {stage.image}; its programs come from this machine instead"
    host = _host_version(tool)
    wanted = tag.split("-")[0]
    if host and wanted and not (host == wanted or host.startswith(wanted + ".")):
        return f"the image runs {tool} {wanted} ({stage.image}); this machine's {tool} {host} runs instead"
    return None


def _nginx_workers_as_root(argv: tuple[str, ...], binds: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """nginx's master, as root, switches its workers to ``nobody`` and chowns its temporary
    folders to it; in a user namespace where only root is mapped both fail. Without a ``user``
    directive in the configuration, ``user root;`` keeps the workers where they are."""
    import re  # noqa: PLC0415

    if not argv or Path(argv[0]).name != "nginx":
        return argv
    conf = "/etc/nginx/nginx.conf"
    if "-c" in argv[:-1]:
        conf = argv[argv.index("-c") + 1]
    source = dict((target, src) for src, target in binds).get(conf, conf)
    try:
        text = Path(source).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return argv
    if re.search(r"^\s*user\s", text, re.MULTILINE):
        return argv
    if "-g" in argv[:-1]:
        at = argv.index("-g") + 1
        return (*argv[:at], f"{argv[at].rstrip()} user root;", *argv[at + 1:])
    return (*argv, "-g", "user root;")


def _user_exists(name: str) -> bool:
    import pwd  # noqa: PLC0415

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _auto_start(fly: FlyApp) -> bool:
    service = fly.get("http_service") or next(iter(fly.get("services") or []), None) or {}
    return bool(service.get("auto_start_machines", True)) if isinstance(service, dict) else True


def _services(fly: FlyApp) -> list[tuple[ServicePort, list[str]]]:
    """Each proxy port of the app with the process groups it serves."""
    processes = list(fly.get("processes") or {}) or ["app"]
    out: list[tuple[ServicePort, list[str]]] = []
    http = fly.get("http_service")
    if isinstance(http, dict) and http.get("internal_port"):
        groups = list(http.get("processes") or processes[:1])
        internal = int(http["internal_port"])
        force = bool(http.get("force_https", False))
        out.append((ServicePort(port=80, internal_port=internal, http=True, tls=False, force_https=force), groups))
        out.append((ServicePort(port=443, internal_port=internal, http=True, tls=True), groups))
    for service in fly.get("services") or []:
        if not isinstance(service, dict) or not service.get("internal_port"):
            continue
        groups = list(service.get("processes") or processes[:1])
        for port in service.get("ports") or []:
            handlers = port.get("handlers") or []
            if "port" not in port:
                continue
            out.append((ServicePort(port=int(port["port"]), internal_port=int(service["internal_port"]),
                                    http="http" in handlers, tls="tls" in handlers,
                                    force_https=bool(port.get("force_https", False))), groups))
    return out


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Interrupted` (Ctrl-C already raises KeyboardInterrupt),
    so clean-up runs."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)

    if threading_main():
        old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    else:
        old = {}
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def threading_main() -> bool:
    import threading  # noqa: PLC0415

    return threading.current_thread() is threading.main_thread()


def verify(out: Path, source: Path | None = None, progress: Progress | None = None, *,
           hold: bool = False) -> Report:
    """Run the set in ``out`` (with the repository ``source``) and check it. Always cleans up.

    With ``hold``, the set keeps running after the checks until SIGINT, SIGTERM or SIGHUP, each
    public app answering on a loopback port of this machine (``hopper.runtime.hold``).

    Raises :class:`RuntimeProblem` when the machine cannot run it (missing capability)."""
    say = progress or (lambda _text: None)
    started = time.monotonic()
    check_capabilities()  # before anything is created or read
    verifier = Verifier(out.resolve(), source.resolve() if source else None, say, hold)
    try:
        with _signals_raise():
            report = verifier.run()
    finally:
        say("== clean up")
        verifier.close()
    say(f"== done in {time.monotonic() - started:.1f}s")
    return report


if __name__ == "__main__":  # pragma: no cover - manual runs
    print(verify(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None, print).text())
