"""How the services reach their resources and each other: bindings from the attachments of
fly-setup.sh and the names an app receives (DATABASE_URL, AWS_*, names derived by hopper's env
shim), and routes from the front's nginx upstreams (Flycast or ``.internal``), which also make a
service reached only through Flycast private.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from hopper import mappings
from hopper.diagnostics import Location, Severity, code
from hopper.formats.fly.flytoml_config import FlyConfig
from hopper.formats.fly.read_layout import fly_host_app
from hopper.formats.fly.to_model_base import Evidence
from hopper.formats.fly.to_model_service import ServiceParts
from hopper.model import Binding, Bucket, Database, ObjectStore, Route, Service
from hopper.shared.nginx.carry import carry, literal_prefix

W_UPSTREAM = code("HOP362", Severity.WARNING, "an nginx upstream that is not a known Fly app")

_TIGRIS_NAMES = ("AWS_ENDPOINT_URL_S3", "BUCKET_NAME")


class Wiring(ServiceParts):
    """Reads bindings and routes."""

    def bindings_of(self, service: str, ev: Evidence, env: dict[str, str], cfg: FlyConfig,
                    derived: dict[str, tuple[str, str | None, Location]]) -> tuple[Binding, ...]:
        env_names = mappings.table("env-names")["fly"]
        out: dict[str, Binding] = {}
        for variable, (db, where) in sorted(ev.databases.items()):
            out[variable] = Binding(variable=variable, resource=db, attribute="uri", secret=True, origin=where)
        for variable, (store, where) in sorted(ev.stores.items()):
            row = env_names["object_store"].get(variable)
            if row is not None:
                out[variable] = Binding(variable=variable, resource=store, attribute=row["attribute"],
                                        secret=bool(row["secret"]), origin=where)
        names = set(ev.secrets) | set(env)
        if "DATABASE_URL" in names and "DATABASE_URL" not in out:
            value = env.get("DATABASE_URL", "")
            if not value.startswith(("file:", "sqlite")):
                db = self.db_from_url(value) or next(iter(sorted(self.databases)), None) or "db"
                if db not in self.databases:
                    self.databases[db] = Database(name=db, origin=ev.secrets.get("DATABASE_URL") or cfg.location("env", "DATABASE_URL"))
                where = ev.secrets.get("DATABASE_URL") or cfg.location("env", "DATABASE_URL")
                self.info(f"database '{db}': service '{service}' receives DATABASE_URL", where)
                out["DATABASE_URL"] = Binding(variable="DATABASE_URL", resource=db, attribute="uri",
                                              secret=True, origin=where)
        if any(n in names for n in _TIGRIS_NAMES) and not any(b.attribute == "endpoint" for b in out.values()):
            endpoint = env.get("AWS_ENDPOINT_URL_S3", "")
            store = next(iter(sorted(self.stores)), None) or "storage"
            if store not in self.stores:
                provider = "tigris" if not endpoint or "tigris" in endpoint or "storage.dev" in endpoint else "s3"
                bucket = env.get("BUCKET_NAME")
                self.stores[store] = ObjectStore(
                    name=store, provider=provider, endpoint=endpoint or None,
                    buckets=(Bucket(name=bucket),) if bucket else ())
            evidence = sorted(n for n in names if n in env_names["object_store"])
            where = next((ev.secrets[n] for n in evidence if n in ev.secrets), None) or cfg.location("env")
            self.info(f"object store '{store}': service '{service}' receives {', '.join(evidence)}", where)
            for variable in evidence:
                row = env_names["object_store"][variable]
                out[variable] = Binding(variable=variable, resource=store, attribute=row["attribute"],
                                        secret=bool(row["secret"]), origin=where)
        # Names hopper's env shim derives from what Fly sets (S3_ENDPOINT from AWS_ENDPOINT_URL_S3).
        for variable, (source, part, where) in sorted(derived.items()):
            base = out.get(source)
            if base is None or variable in out:
                continue
            attribute = part if part is not None else base.attribute
            if base.attribute == "endpoint" and part == "host":
                attribute = "endpoint"  # the host of the object store's endpoint (S3_HOST...)
            out[variable] = Binding(variable=variable, resource=base.resource, attribute=attribute,
                                    secret=base.secret if part is None else part == "password",
                                    origin=where)
        return tuple(out[k] for k in sorted(out))

    def db_from_url(self, value: str) -> str | None:
        match = re.search(r"@([^/:@]+)", value)
        if not match:
            return None
        resolved = fly_host_app(match.group(1))
        return resolved[0] if resolved else None

    def resolve_routes(self, services: list[Service]) -> list[Service]:

        by_service = {s.name: s for s in services}
        out: list[Service] = []
        for app in self.apps:
            name = self.names[id(app)]
            service = by_service.get(name)
            if service is None:
                continue
            if app.nginx is None:
                out.append(service)
                continue
            routes: list[Route] = []
            extensions = dict(service.extensions)
            for server in app.nginx.servers[:1]:
                routed: dict[str, Any] = {}
                regex_routes: dict[str, Any] = {}
                for proxy in server.proxies:
                    route = self.route_of(proxy)
                    if route is None:
                        continue
                    if proxy.modifier in ("~", "~*"):
                        # A regex location routes by its fixed prefix; the regex rides along.
                        prefix = literal_prefix(proxy.path)
                        if prefix is None or prefix in regex_routes or prefix in routed:
                            continue
                        route = replace(route, path_prefix=prefix)
                        regex_routes[prefix] = proxy
                    else:
                        routed[route.path_prefix] = proxy
                    routes.append(route)
                carried, notes = carry(name, app.nginx, server, routed=routed, regex_routes=regex_routes,
                                       cache_patterns={r.pattern for r in server.cache_rules})
                self.diags.extend(notes)
                if carried:
                    extensions["nginx"] = carried
            depends = tuple(sorted({r.target_service for r in routes} & set(by_service)))
            out.append(replace(service, routes=tuple(routes), depends_on=depends, extensions=extensions))
        done = {s.name for s in out}
        out.extend(s for s in services if s.name not in done)  # process groups
        # A service reached only through Flycast and without force_https is private.
        targets = {r.target_service for s in out for r in s.routes}
        final: list[Service] = []
        for service in out:
            fly_app = service.extensions.get("fly", {}).get("app")
            ev = self.evidence.get(fly_app or "", Evidence())
            if service.name in targets and service.public and not service.force_https and ev.private is None:
                self.info(f"service '{service.name}': private, as it is reached through Flycast from "
                          "the front and does not force HTTPS", service.origin)
                service = replace(service, public=False)
            mode = self.reached_as.get(service.name)
            fly_ext = service.extensions.get("fly")
            if mode is not None and isinstance(fly_ext, dict) and "private_network" not in fly_ext:
                service = replace(service, extensions={**service.extensions,
                                                       "fly": {**fly_ext, "private_network": mode}})
            final.append(service)
        return final

    def route_of(self, proxy: Any) -> Route | None:
        target = proxy.effective_target()
        host = target.host
        if proxy.upstream is not None and proxy.upstream.servers:
            host = proxy.upstream.servers[0].host
        if host is None:
            return None
        resolved = fly_host_app(host)
        app_name = resolved[0] if resolved else host
        service = self.app_to_service.get(app_name)
        if service is None:
            self.diags.warning(W_UPSTREAM, f"nginx location {proxy.path} proxies to {host}, which is "
                               "not an app of this setup; the route is not converted", proxy.location,
                               hint="add the app's fly.toml to the folder")
            return None
        port = target.port
        if resolved:
            self.reached_as.setdefault(service, resolved[1])
        if resolved and resolved[1] == "flycast" and port in (None, 80):
            target_app = next((a for a in self.apps if self.names[id(a)] == service), None)
            port = target_app.config.get("http_service", "internal_port") if target_app else None
        return Route(
            path_prefix=proxy.path, target_service=service, target_port=port,
            strip_prefix=proxy.strip_prefix, body_size_limit=proxy.client_max_body_size,
            request_buffering=proxy.request_buffering, response_buffering=proxy.response_buffering,
            connect_timeout_s=proxy.connect_timeout_s, read_timeout_s=proxy.read_timeout_s,
            send_timeout_s=proxy.send_timeout_s, forwarded_headers=tuple(proxy.set_headers),
            websocket=proxy.websocket, origin=proxy.location)
