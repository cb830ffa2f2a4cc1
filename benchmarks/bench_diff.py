"""Time ``diff_models`` on two 1000-service models (1% of services changed), in process.

Run: python benchmarks/bench_diff.py [N]. Prints the median of 7 runs; the goal (performance
reference P9) is <= 100 ms for 1000 services.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace

from hopper.diff import diff_models
from hopper.model import (
    Architecture,
    Autostop,
    Binding,
    Build,
    Database,
    HealthCheck,
    Placement,
    Region,
    Role,
    Route,
    Runtime,
    Scaling,
    Service,
)


def model(n: int) -> Architecture:
    services = []
    for i in range(n):
        name = f"svc-{i:05d}"
        services.append(Service(
            name=name, role=Role.API if i % 10 else Role.FRONT, public=i % 10 == 0,
            build=Build(context=name, dockerfile=f"{name}/Dockerfile", runtime="node",
                        runtime_version="20", package_manager="npm"),
            runtime=Runtime(port=3000, env={f"VAR_{j}": f"value-{j}" for j in range(8)},
                            secret_env=("JWT_SECRET", "API_KEY"),
                            health_check=HealthCheck(path="/health", interval_s=10),
                            release_command="npm run migrate"),
            routes=tuple(Route(path_prefix=f"/r{j}/", target_service=f"svc-{(i + j + 1) % n:05d}",
                               body_size_limit="10m") for j in range(3)) if i % 10 == 0 else (),
            scaling=Scaling(min_instances=1, max_instances=2, cpus=1, memory_mb=512),
            bindings=(Binding(variable="DATABASE_URL", resource="db", attribute="uri"),),
            domains=(f"{name}.example.com",) if i % 10 == 0 else (),
        ))
    return Architecture(name="bench", source_format="fly", services=tuple(services),
                        databases=(Database(name="db", version="16", plan="basic"),),
                        placement=Placement(primary=Region(code="cdg", platform="fly")))


def changed(arch: Architecture, every: int = 100) -> Architecture:
    services = list(arch.services)
    for i in range(0, len(services), every):
        s = services[i]
        services[i] = replace(s, scaling=replace(s.scaling, autostop=Autostop.STOP, memory_mb=256),
                              runtime=replace(s.runtime, env={**s.runtime.env, "VAR_0": "x"}))
    return replace(arch, services=tuple(services))


def main(n: int = 1000) -> None:
    before = model(n)
    after = changed(model(n))
    diff_models(before, after)  # warm up (imports, mapping tables)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        plan = diff_models(before, after)
        times.append(time.perf_counter() - start)
    print(f"diff_models: {n} services, {len(plan.findings)} findings, "
          f"median {statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f} ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
