"""The one table of finding texts: every code the differ can emit, with its category, severity,
title, why it matters and what to do.

Titles, reasons and actions may hold ``{placeholders}`` that the rule fills in (names, numbers).
``example`` is (subject, before, after) as it would appear in a plan; docs/findings.md is
generated from this table (``python -m hopper.findings.docs``) and a test keeps the two in step.
Codes are stable: never reuse or renumber one; retire it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from hopper.findings.types import CATEGORIES, SEVERITIES, ChangeKind, SeverityName


@dataclass(frozen=True, slots=True)
class FindingSpec:
    code: str
    slug: str
    category: str
    severity: SeverityName
    change: ChangeKind
    title: str
    why: str
    action: str
    example: tuple[str, str | None, str | None]


_SPECS: list[FindingSpec] = []


def _spec(code: str, slug: str, category: str, severity: SeverityName, change: ChangeKind,
          title: str, why: str, action: str, example: tuple[str, str | None, str | None]) -> None:
    _SPECS.append(FindingSpec(code, slug, category, severity, change, title, why, action, example))


# ------------------------------------------------------------------------- services and resources
_spec("HD001", "service-added", "components", "info", "add",
      "service added",
      "The target runs a service the source did not have.",
      "Check that it is meant to exist; it will be created on the first deploy.",
      ("worker", None, "worker (worker)"))
_spec("HD002", "service-removed", "components", "breaking", "remove",
      "service removed",
      "The source runs this service and the target does not: whatever it did stops.",
      "Add the service to the target, or confirm that nothing depends on it.",
      ("admin", "admin (api)", None))
_spec("HD003", "service-renamed", "components", "info", "change",
      "service matched under another name",
      "The two setups name this service differently; hopper matched them by {method}.",
      "Check the pairing; rename one side if hopper paired the wrong services.",
      ("api", "api", "webapp-api"))
_spec("HD004", "service-role-changed", "components", "warning", "change",
      "service role changed",
      "The service is recognised as a different kind of process, so it is built, exposed or scaled differently.",
      "Check the image or build of the service; set the role explicitly if hopper guessed wrong.",
      ("api", "api", "worker"))

# ------------------------------------------------------------------------- placement
_spec("HD101", "region-nearby", "placement", "info", "change",
      "region changed, nearby ({distance} km)",
      "The new region is close to the old one; latency to users and to other services barely changes.",
      "Nothing to do unless the exact location matters to you.",
      ("architecture", "par (Paris, FR)", "cdg (Paris, FR)"))
_spec("HD102", "region-far", "placement", "warning", "change",
      "region moved {distance} km",
      "Users near the old region get more latency, and every service that stays behind (a database, a store) is now far away.",
      "Choose a region near your users and your data (--region), or move every component together.",
      ("architecture", "par (Paris, FR)", "iad (Ashburn, US)"))
_spec("HD103", "data-leaves-eu", "placement", "breaking", "change",
      "data leaves the EU",
      "The source runs in the EU/EEA and the target region is outside it; personal data processed or stored there leaves the EU, which GDPR commitments may forbid.",
      "Pick an EU region with --region ({eu_regions}), or have the transfer approved.",
      ("architecture", "par (Paris, FR)", "lhr (London, GB)"))
_spec("HD104", "region-retired", "placement", "breaking", "change",
      "target region is retired",
      "{code} no longer accepts new resources; creating apps or databases there fails at deploy time.",
      "Use {replacement} instead (the platform's own suggested successor).",
      ("architecture", "cdg (Paris, FR)", "mad (Madrid, ES; retired)"))
_spec("HD105", "region-unretired", "placement", "info", "change",
      "moves off a retired region",
      "The source runs in a region its platform has retired; the target does not.",
      "Nothing to do: the move fixes it.",
      ("architecture", "mad (Madrid, ES; retired)", "cdg (Paris, FR)"))
_spec("HD106", "region-unknown", "placement", "warning", "change",
      "region not in hopper's table",
      "hopper cannot place region {code} of {platform} on the map, so it cannot say how far the move is or whether data leaves the EU.",
      "Check the region code; if it is new, add it to mappings/regions.toml (or HOPPER_MAPPINGS_DIR).",
      ("architecture", "par (Paris, FR)", "xyz (unknown)"))
_spec("HD107", "region-stated", "placement", "info", "change",
      "region stated on one side only",
      "One setup does not say where it runs (it runs wherever it is started), so hopper cannot compare locations.",
      "Check that {region} is where you want it; pass --region to choose another.",
      ("architecture", "(not stated)", "cdg (Paris, FR)"))
_spec("HD108", "regions-others-changed", "placement", "info", "change",
      "additional regions changed",
      "Services or replicas run in a different set of secondary regions.",
      "Check that the secondary regions still match where your users are.",
      ("architecture", "ams, fra", "fra"))
_spec("HD109", "certified-zone-left", "placement", "breaking", "change",
      "leaves a {certification}-certified zone",
      "The source runs in a zone certified {certification} (health data hosting in France); the target region has no such certification, so data that needs it must not move there.",
      "Keep the regulated data on a certified host, or have the move approved before cut-over.",
      ("architecture", "parhds (Paris, FR)", "ams (Amsterdam, NL)"))

_spec("HD424", "database-region-moved", "placement", "info", "change",
      "database moves {distance} km, {relation}",
      "The database runs in {before} on the source and in {after} on the target: {relation}. Its data is copied there at cut-over, and stays under the law of the new place.",
      "Check that {after} is where this data may live; if not, choose another region with --region. {database_near_apps}",
      ("db", "par (Paris, FR)", "fra (Frankfurt, DE)"))
_spec("HD425", "database-leaves-jurisdiction", "placement", "breaking", "change",
      "database leaves {source} for {target}",
      "The database's data moves from {source} to {target}: personal data stored there falls under another jurisdiction, which GDPR or contractual commitments may forbid.",
      "Choose a region in {source} with --region, or have the transfer approved before cut-over.",
      ("db", "par (Paris, FR)", "lhr (London, GB)"))
_spec("HD426", "database-leaves-certified-zone", "placement", "breaking", "change",
      "database leaves a {certification}-certified zone",
      "The database runs in a zone certified {certification} (health data hosting in France); the target region is not, so data that needs the certification must not be stored there.",
      "Keep the regulated data on a certified host, or have the move approved before cut-over.",
      ("db", "parhds (Paris, FR)", "fra (Frankfurt, DE)"))
_spec("HD427", "database-far-from-apps", "placement", "warning", "change",
      "database {distance} km from its apps",
      "The apps run in {apps} and the database in {db} ({nearby}): every query crosses {distance} km, about {latency} ms more per round trip, paid as many times as a request runs queries.",
      "Put the apps in the database's region (--region {db}), or the database in theirs. {database_near_apps}",
      ("db", None, "fra (Frankfurt, DE); apps in cdg (Paris, FR)"))

# ------------------------------------------------------------------------- scaling
_spec("HD201", "autostop-enabled", "scaling", "warning", "change",
      "always on becomes scale to zero",
      "Idle instances are stopped ({autostop}) and started again on the next request: the first request after a quiet period waits for a cold start, and in-memory state (caches, sessions, timers) is lost.",
      "Accept the cold starts, or keep one instance running: {keep_running}.",
      ("api", "always on", "stop (scale to zero, 0 kept running)"))
_spec("HD202", "autostop-worker", "scaling", "breaking", "change",
      "background worker would be stopped when idle",
      "A worker receives no HTTP requests, so nothing ever starts it again once it has been stopped: its jobs stop running.",
      "Keep it running: {keep_running}.",
      ("worker", "always on", "stop (scale to zero, 0 kept running)"))
_spec("HD203", "autostop-disabled", "scaling", "info", "change",
      "scale to zero becomes always on",
      "The service no longer stops when idle: no cold starts, but it is billed around the clock.",
      "Nothing to do unless cost matters; see the cost estimate.",
      ("api", "stop (scale to zero)", "always on"))
_spec("HD204", "min-running-changed", "scaling", "info", "change",
      "minimum running instances changed",
      "Fewer instances kept running means more cold starts; more means more cost.",
      "Check the number against your traffic at quiet hours; to keep instances running: {keep_running}.",
      ("api", "1", "0"))
_spec("HD205", "instances-changed", "scaling", "info", "change",
      "instance count changed",
      "The number of instances that serve requests changes, and with it capacity and cost.",
      "Check the counts against your load; adjust with the target's scaling settings.",
      ("api", "2..4", "1"))
_spec("HD206", "redundancy-lost", "scaling", "warning", "change",
      "redundancy lost",
      "The source always runs at least two instances; the target can run a single one, so a crash or a deploy leaves the service unavailable.",
      "Run at least two instances on the target: {instances}.",
      ("api", "2..4", "1"))
_spec("HD207", "size-changed", "scaling", "info", "change",
      "instance size changed",
      "CPU and memory per instance differ, so throughput and cost differ.",
      "Check the size against the service's real use.",
      ("api", "1 CPU, 1024 MB", "1 shared CPU, 512 MB"))
_spec("HD208", "memory-reduced", "scaling", "warning", "change",
      "less memory per instance",
      "The service gets {before_mb} MB on the source and {after_mb} MB on the target; a process that fit before may now be killed when it runs out of memory.",
      "Give the target at least {before_mb} MB ({memory}), or measure the real peak first.",
      ("api", "1 CPU, 1024 MB", "1 shared CPU, 256 MB"))

# ------------------------------------------------------------------------- secrets and env
_spec("HD301", "secret-classification", "secrets-env", "info", "change",
      "where values live",
      "Secret values move to {store}, which injects them at boot and never shows them again; plain values stay in the committed configuration.",
      "Set the secrets on the target before the first deploy (the generated runbook lists them); keep plain values free of credentials.",
      ("api", "secrets: JWT_SECRET; plain: NODE_ENV", "platform secrets: JWT_SECRET; plain env: NODE_ENV"))
_spec("HD302", "secret-became-plain", "secrets-env", "breaking", "change",
      "a secret becomes plain env",
      "{name} is a secret on the source but a plain value on the target, so it would be written into committed configuration in clear.",
      "Keep {name} a secret on the target: {set_secrets}.",
      ("api", "JWT_SECRET (secret)", "JWT_SECRET (plain env)"))
_spec("HD303", "plain-became-secret", "secrets-env", "info", "change",
      "plain env becomes a secret",
      "{name} was a plain value and is now stored as a platform secret, so it is no longer visible in configuration files.",
      "Set {name} as a secret on the target before the first deploy: {set_secrets}.",
      ("api", "SENTRY_DSN (plain env)", "SENTRY_DSN (secret)"))
_spec("HD304", "secret-added", "secrets-env", "info", "add",
      "secret to set",
      "The target needs secret {name}; hopper never copies secret values, so it starts empty.",
      "Set {name} on the target before the first deploy: {set_secrets}.",
      ("JWT_SECRET", None, "(sensitive value)"))
_spec("HD305", "secret-removed", "secrets-env", "warning", "remove",
      "secret dropped",
      "The source defines secret {name} and the target does not; code that reads it gets nothing.",
      "Add {name} to the target's secrets, or confirm that nothing reads it.",
      ("SMTP_PASSWORD", "(sensitive value)", None))
_spec("HD306", "secret-value-changed", "secrets-env", "warning", "change",
      "secret value differs",
      "The two setups hold different values for {name} (compared by digest; values are never shown).",
      "Check which value is current before you switch traffic.",
      ("JWT_SECRET", "(sensitive value)", "(sensitive value changed)"))
_spec("HD307", "env-added", "secrets-env", "info", "add",
      "env var added",
      "The target sets {name}, which the source did not.",
      "Check the value.",
      ("api", None, "PORT=3000"))
_spec("HD308", "env-removed", "secrets-env", "warning", "remove",
      "env var dropped",
      "The source sets {name} and the target does not; code that reads it falls back to its default.",
      "Set {name} on the target, or confirm that the default is right.",
      ("api", "LOG_LEVEL=debug", None))
_spec("HD309", "env-changed", "secrets-env", "info", "change",
      "env value changed",
      "{name} has a different value on the target.",
      "Check that the new value is meant (URLs and host names usually change with the platform).",
      ("api", "API_URL=http://api:3000", "API_URL=https://api.example.com"))
_spec("HD310", "plain-looks-secret", "secrets-env", "warning", "change",
      "plain value looks like a secret",
      "{name} is a plain env value that looks like a credential; plain env is committed and shown in dashboards and logs.",
      "Move {name} to the platform's secrets and rotate the value if it was ever committed.",
      ("api", None, "API_TOKEN (plain env, value hidden)"))
_spec("HD311", "build-secret-added", "secrets-env", "warning", "add",
      "build-time secret needed",
      "The target's build needs secret {name}; platform secrets are not available while the image builds.",
      "Pass it to the build: {build_secret}.",
      ("front", None, "SENTRY_AUTH_TOKEN (build secret)"))
_spec("HD312", "build-secret-removed", "secrets-env", "breaking", "remove",
      "build-time secret dropped",
      "The source's build receives secret {name} and the target's build does not; a build step that needs it fails or produces a broken artifact.",
      "Pass {name} to the target's build: {build_secret}.",
      ("front", "NPM_TOKEN (build secret)", None))
_spec("HD313", "env-read-not-provided", "secrets-env", "breaking", "remove",
      "the app reads a variable the target does not set",
      "The code reads {name} ({where}), which the source provided{source_note} and the target does not: it will be empty at runtime.",
      "{remedy}",
      ("api", "POSTGRESQL_ADDON_URI (database db, uri)", None))
_spec("HD314", "env-no-longer-provided", "secrets-env", "warning", "remove",
      "a variable the source provided is gone",
      "The source provides {name}{source_note}; the target does not. The code was not scanned, so hopper cannot tell whether it reads it.",
      "{remedy} Run with --scan-code to check which names the code reads.",
      ("api", "CELLAR_ADDON_HOST (object store media, endpoint)", None))
_spec("HD315", "build-env-not-provided", "secrets-env", "breaking", "remove",
      "a build-time variable is not provided at build time",
      "The build reads {name} ({where}); the target does not pass it to the build (its runtime env vars and secrets are not visible while the image builds).",
      "Pass {name} to the build: {build_arg}; or as a build secret if it is sensitive.",
      ("front", "VITE_API_URL (env, visible at build)", None))

_spec("HD316", "env-read-derived", "secrets-env", "info", "change",
      "the app reads a name the target derives from another",
      "The code reads {name} ({where}); on the target the same value arrives as {target_name}, and {derivation} so the code keeps working unchanged.",
      "Nothing to do; to drop the derivation later, read {target_name} in the code (hopper rewrite-env does it).",
      ("api", "POSTGRESQL_ADDON_URI (database db, uri)", "DATABASE_URL (derived at boot)"))
_spec("HD317", "env-to-build-arg", "secrets-env", "info", "change",
      "a public build-time value becomes a build argument",
      "{name} is inlined into the built files by the front's bundler: the target passes it when the image is built, not to the running app. Its value ships to every browser.",
      "Nothing to do; to change it, rebuild and redeploy (a runtime change no longer reaches the files).",
      ("front", "VITE_API_URL=/api (runtime env)", "VITE_API_URL=/api (build argument)"))

# ------------------------------------------------------------------------- networking
_spec("HD401", "made-public", "networking", "warning", "change",
      "service becomes public",
      "The service was reachable only from other services and is now exposed to the internet.",
      "Keep it private ({keep_private}), or add authentication.",
      ("api", "private", "public"))
_spec("HD402", "made-private", "networking", "breaking", "change",
      "service no longer public",
      "Users reach this service directly on the source; on the target it has no public address.",
      "Expose it on the target, or route its paths through the public front.",
      ("front", "public", "private"))
_spec("HD403", "private-network-changed", "networking", "info", "change",
      "reached another way by the services that proxy to it",
      "Proxied from {sources}, this service is reached as {before} on the source and as {after} on the target.{detail}",
      "Check the URLs that point at this service (proxy_pass, env vars): they must name it the target's way.",
      ("api", "api:3000 (container network)", "webapp-api.internal:3000 (private network)"))
_spec("HD405", "port-changed", "networking", "warning", "change",
      "listening port changed",
      "The process is expected on a different port; if the app and the platform disagree, health checks fail and requests get 502.",
      "Make the app listen on {after} (usually through PORT), and keep the proxy's target port the same.",
      ("api", "8080", "3000"))
_spec("HD406", "https-forced", "networking", "info", "change",
      "HTTPS now forced",
      "Plain HTTP requests are redirected to HTTPS.",
      "Nothing to do for browsers; HTTP-only clients and health checks that do not follow redirects need https URLs.",
      ("front", "not forced", "forced"))
_spec("HD407", "https-not-forced", "networking", "warning", "change",
      "HTTPS no longer forced",
      "Plain HTTP requests are served as they are instead of being redirected to HTTPS.",
      "Make the target redirect plain HTTP to HTTPS: {how}.",
      ("front", "forced", "not forced"))
_spec("HD409", "domain-removed", "networking", "breaking", "remove",
      "custom domain not carried over",
      "{domain} points at the source; the target does not serve it, so it stops working when DNS moves.",
      "Add the domain on the target ({add_domain}), then switch DNS with a lowered TTL.",
      ("front", "www.example.com", None))
_spec("HD410", "domain-added", "networking", "info", "add",
      "custom domain added",
      "The target serves {domain}; it needs a DNS record and a TLS certificate there.",
      "Create the certificate on the target before switching DNS.",
      ("front", None, "www.example.com"))
_spec("HD411", "tls-termination-changed", "networking", "info", "change",
      "TLS termination moves",
      "{detail}",
      "{remedy}",
      ("front", "none", "platform edge"))

_spec("HD412", "tls-lost", "networking", "warning", "change",
      "no TLS termination on the target",
      "{platform} terminates HTTPS for public services; {target} serves whatever the containers serve, usually plain HTTP.",
      "Put a TLS-terminating proxy (Caddy, Traefik, nginx with certificates) in front of the public services.",
      ("front", "platform edge", "none"))

_spec("HD418", "load-balanced-copies-merged", "networking", "info", "change",
      "load-balanced copies run as one service",
      "The source ran {members} as separate identical services behind nginx upstream '{upstream}'; "
      "they are one service run {count} times, and the front proxies to it.",
      "Nothing to do if the copies were only for load; a copy that was meant to differ must be made "
      "a service of its own again.",
      ("api1", "api1, api2 (nginx upstream api)", "api1 x2"))

# ------------------------------------------------------------------------- routing
_spec("HD501", "route-added", "routing", "info", "add",
      "route added",
      "Requests under {path} are now proxied to {target}.",
      "Check that the path is meant to be public.",
      ("front", None, "/api/ -> api:3000"))
_spec("HD502", "route-removed", "routing", "breaking", "remove",
      "route removed",
      "Requests under {path} were proxied to {target} on the source; on the target they get the front's own answer (usually 404 or the SPA index).",
      "Add the route to the target's proxy configuration.",
      ("front", "/api/ -> api:3000", None))
_spec("HD503", "route-target-changed", "routing", "warning", "change",
      "route goes elsewhere",
      "Requests under {path} reach a different service or port.",
      "Check that the new target serves the same API.",
      ("front", "/api/ -> api:3000", "/api/ -> api:8080"))
_spec("HD504", "strip-prefix-changed", "routing", "breaking", "change",
      "path prefix handling changed",
      "The API behind {path} now sees {seen} paths, so its own routes no longer match.",
      "{remedy}",
      ("front", "/api/health seen as /health", "/api/health seen as /api/health"))
_spec("HD505", "body-size-reduced", "routing", "warning", "change",
      "smaller request body limit",
      "Uploads under {path} larger than {after} are refused with 413 on the target.",
      "Raise client_max_body_size for {path} to {before}.",
      ("front", "50m", "1m (nginx default)"))
_spec("HD506", "body-size-raised", "routing", "info", "change",
      "larger request body limit",
      "Bigger uploads under {path} are accepted.",
      "Nothing to do.",
      ("front", "1m (nginx default)", "50m"))
_spec("HD507", "timeout-reduced", "routing", "warning", "change",
      "shorter proxy timeout",
      "Slow requests under {path} are cut off sooner ({which}).",
      "Raise the timeout on the target to {before}.",
      ("front", "read 300s", "read 60s (nginx default)"))
_spec("HD508", "timeout-raised", "routing", "info", "change",
      "longer proxy timeout",
      "Requests under {path} may run longer before the proxy gives up ({which}).",
      "Nothing to do.",
      ("front", "read 60s (nginx default)", "read 300s"))
_spec("HD509", "websocket-dropped", "routing", "breaking", "change",
      "WebSocket upgrade no longer proxied",
      "Connections under {path} cannot upgrade to WebSocket on the target.",
      "Pass the Upgrade and Connection headers for {path} (nginx: proxy_http_version 1.1 and the two proxy_set_header lines).",
      ("front", "websocket", "plain HTTP"))
_spec("HD510", "proxy-behaviour-changed", "routing", "info", "change",
      "proxy behaviour changed",
      "Buffering, WebSocket support or forwarded headers under {path} differ: {detail}.",
      "Check streaming responses, uploads and client IP logging.",
      ("front", "buffering on", "buffering off"))
_spec("HD511", "forwarded-headers-dropped", "routing", "warning", "change",
      "forwarded headers dropped",
      "The target no longer forwards {headers} under {path}; the API loses the client's address or the original host.",
      "{remedy}",
      ("front", "Host, X-Forwarded-For", "Host"))
_spec("HD512", "spa-fallback-lost", "routing", "breaking", "change",
      "SPA fallback lost",
      "Deep links into the single-page app (/login, /items/3) return 404 on the target instead of the index page.",
      "Serve the index page for unknown paths: {spa_fallback}.",
      ("front", "fallback to index.html", "no fallback"))
_spec("HD513", "static-site-changed", "routing", "info", "change",
      "static file serving changed",
      "Compression or cache rules of the static files differ: {detail}.",
      "Check page weight and cache headers after the move.",
      ("front", "gzip, 1 cache rule", "no gzip, no cache rules"))

# ------------------------------------------------------------------------- data
_spec("HD514", "route-limits-by-platform", "routing", "warning", "change",
      "route limits set by the platform",
      "The source sets limits under {path} that {proxy} apply with values of their own, which cannot be configured: larger uploads or slower requests may be refused.",
      "Test an upload and a slow request of the source's size under {path} on the target before switching; move big uploads to direct object-storage uploads if they fail.",
      ("front", "body 50m, read 300s", "set by the platform's load balancers"))
_spec("HD601", "database-added", "data", "info", "add",
      "database added",
      "The target creates a database the source did not have.",
      "Check its plan and region.",
      ("db", None, "postgresql 16"))
_spec("HD602", "database-removed", "data", "breaking", "remove",
      "database removed",
      "The source has this database and the target does not; every service bound to it loses its data.",
      "Add the database to the target and copy the data.",
      ("db", "postgresql 16", None))
_spec("HD603", "postgres-upgraded", "data", "warning", "change",
      "PostgreSQL major version goes up",
      "Data moves between major versions only by dump and restore (or logical replication); extensions and planner behaviour may differ.",
      "Dump with pg_dump from the target's version, restore, and run your tests against {after}.",
      ("db", "15", "16"))
_spec("HD604", "postgres-downgraded", "data", "breaking", "change",
      "PostgreSQL major version goes down",
      "A dump from a newer major version often does not restore into an older one.",
      "Create the target database with version {before} or newer.",
      ("db", "17", "16"))
_spec("HD605", "database-plan-changed", "data", "info", "change",
      "database plan or size changed",
      "CPU, memory, connections or disk of the database differ.",
      "Check connection limits and disk size against the current use.",
      ("db", "xs_sml (1 CPU, 1024 MB)", "basic (2 shared CPUs, 1024 MB)"))
_spec("HD606", "database-disk-reduced", "data", "warning", "change",
      "smaller database disk",
      "The target disk ({after}) is smaller than the source's ({before}); a restore may not fit.",
      "Size the target disk for the current data plus growth.",
      ("db", "20 GB", "10 GB"))
_spec("HD607", "ha-lost", "data", "warning", "change",
      "database high availability lost",
      "The source has a standby replica that takes over on failure; the target does not.",
      "Choose {database_ha}.",
      ("db", "HA", "single node"))
_spec("HD608", "ha-gained", "data", "info", "change",
      "database high availability gained",
      "The target runs a standby replica.",
      "Nothing to do; it costs more.",
      ("db", "single node", "HA"))
_spec("HD609", "backups-lost", "data", "warning", "change",
      "database backups off",
      "The source's database is backed up and the target's is not.",
      "Turn backups on, or schedule your own pg_dump.",
      ("db", "daily backups", "no backups"))
_spec("HD610", "data-copy-needed", "data", "warning", "change",
      "data must be copied",
      "The {what} moves to another platform; its contents do not move by themselves.",
      "{remedy}",
      ("db", "postgresql (managed add-on)", "postgresql (managed cluster)"))
_spec("HD611", "store-added", "data", "info", "add",
      "object store added",
      "The target creates an object store the source did not have.",
      "Check its provider and buckets.",
      ("media", None, "s3"))
_spec("HD612", "store-removed", "data", "breaking", "remove",
      "object store removed",
      "The source stores objects here and the target has no store: uploads and stored files are gone.",
      "Add an object store to the target and copy the objects.",
      ("media", "s3", None))
_spec("HD613", "store-provider-changed", "data", "warning", "change",
      "object storage provider changed",
      "S3-compatible providers differ in endpoint, region name, path-style addressing and checksum support; SDK settings that worked before may fail.",
      "Check the SDK client settings (endpoint, region, forcePathStyle) against {after}, and copy the objects (rclone sync).",
      ("media", "minio", "s3"))
_spec("HD614", "store-endpoint-changed", "data", "info", "change",
      "object storage endpoint changed",
      "Clients must use the new endpoint; public object URLs built from the old host break.",
      "Read the endpoint from the platform's variable instead of hard-coding it.",
      ("media", "s3.eu-west-3.amazonaws.com", "s3.eu-central-1.amazonaws.com"))
_spec("HD615", "bucket-made-private", "data", "breaking", "change",
      "public bucket becomes private",
      "Objects in {bucket} were readable by anyone; on the target, public URLs return 403.",
      "Make {bucket} public on the target ({public_bucket}), or serve objects through signed URLs.",
      ("media/avatars", "public", "private"))
_spec("HD616", "bucket-made-public", "data", "warning", "change",
      "private bucket becomes public",
      "Everything in {bucket} becomes readable by anyone who knows its URL.",
      "Keep {bucket} private unless that is intended.",
      ("media/uploads", "private", "public"))
_spec("HD617", "bucket-added", "data", "info", "add",
      "bucket added",
      "The target creates bucket {bucket}.",
      "Nothing to do.",
      ("media/uploads", None, "private"))
_spec("HD618", "bucket-removed", "data", "warning", "remove",
      "bucket not carried over",
      "Bucket {bucket} exists on the source but not on the target; code that writes to it fails.",
      "Create {bucket} on the target and copy its objects.",
      ("media/uploads", "private", None))
_spec("HD619", "volume-removed", "data", "breaking", "remove",
      "persistent volume dropped",
      "Data written to {target} survives restarts on the source; on the target the path is ephemeral and is wiped on every deploy or restart.",
      "Add a volume on the target ({volume}), or move the data to the database or object storage.",
      ("api", "uploads -> /app/uploads", None))
_spec("HD620", "volume-added", "data", "info", "add",
      "persistent volume added",
      "The target mounts a volume at {target}. {volume_scope}",
      "Snapshot or back it up.",
      ("api", None, "uploads -> /app/uploads"))

# ------------------------------------------------------------------------- build and deploy
_spec("HD414", "package-manager-changed", "build-deploy", "warning", "change",
      "package manager changed",
      "Dependencies are installed with {after} instead of {before}: another lockfile, other resolution rules and other script behaviour.",
      "Keep the source's package manager and version (package.json packageManager), or build and test once with {after}.",
      ("api", "yarn 4.1.0", "npm"))
_spec("HD415", "install-not-pinned", "build-deploy", "warning", "change",
      "install not pinned by the checkout",
      "{file}: {what}; two builds of the same commit may install different dependencies.",
      "Commit the lockfile and a packageManager field (`corepack use <manager>@<version>` writes it).",
      ("api", None, "npm without a lockfile"))
_spec("HD701", "build-tool-changed", "build-deploy", "info", "change",
      "built differently",
      "The image or artifact is produced by a different tool, so build steps, caching and the base image change.",
      "Build the target once locally or in CI before switching.",
      ("api", "node 20 from package.json (platform build)", "Dockerfile api/Dockerfile"))
_spec("HD702", "runtime-version-changed", "build-deploy", "warning", "change",
      "runtime version changed",
      "The service runs on {runtime} {after} instead of {before}; language and library behaviour can differ.",
      "Pin the version you tested ({before}) or run your tests on {after}.",
      ("api", "node 20", "node 22"))
_spec("HD703", "release-command-added", "build-deploy", "info", "add",
      "release command added",
      "{command} runs once per deploy, before the new version takes traffic.",
      "Make sure it is safe to run on every deploy and that the database is reachable from it.",
      ("api", None, "npm run migrate"))
_spec("HD423", "release-timing-changed", "build-deploy", "warning", "change",
      "release command runs at another moment",
      "`{command}` runs {before} on the source and {after} on the target. {consequence}",
      "{remedy}",
      ("api", "before every instance start", "once per deploy, before the new version starts"))
_spec("HD704", "release-command-removed", "build-deploy", "breaking", "remove",
      "release command dropped",
      "{command} ran on each deploy on the source (database migrations, usually); on the target nothing runs it, so the schema falls behind the code.",
      "Run it on each deploy of the target: {release_command}.",
      ("api", "npm run migrate", None))
_spec("HD705", "release-command-changed", "build-deploy", "warning", "change",
      "release command changed",
      "A different command runs on each deploy.",
      "Check that it still runs your migrations.",
      ("api", "npm run migrate", "node migrate.js"))
_spec("HD706", "health-check-removed", "build-deploy", "warning", "remove",
      "health check dropped",
      "The platform no longer checks that the service answers; a broken deploy takes traffic and a hung process is not restarted.",
      "Add a health check on the target: {health_check}.",
      ("api", "GET /health", None))
_spec("HD707", "health-check-added", "build-deploy", "info", "add",
      "health check added",
      "The target checks {path} before sending traffic.",
      "Make sure the path answers 200 without authentication and without redirecting.",
      ("api", None, "GET /health"))
_spec("HD708", "health-check-changed", "build-deploy", "info", "change",
      "health check changed",
      "The check uses another path, port or timing ({detail}).",
      "Check that the new settings give the app enough time to boot (grace period).",
      ("api", "GET /health every 10s", "GET /healthz every 15s, grace 10s"))
_spec("HD709", "start-command-changed", "build-deploy", "info", "change",
      "start command changed",
      "The process is started with a different command.",
      "Check that the command starts the same program.",
      ("api", "npm start", "node dist/server.js"))
_spec("HD710", "image-changed", "build-deploy", "info", "change",
      "image changed",
      "The service runs a different container image.",
      "Check the image tag and its configuration defaults.",
      ("front", "nginx:1.25-alpine", "nginx:1.27-alpine"))
_spec("HD711", "ci-changed", "build-deploy", "warning", "change",
      "deploy pipeline changed",
      "Deploys are triggered differently ({before} → {after}); {pushes}.",
      "{setup}; remove the old one after the switch.",
      ("architecture", "clever_git_push", "github_actions"))
_spec("HD712", "workflow-added", "build-deploy", "info", "add",
      "deploy workflow added",
      "A CI workflow deploys this service{detail}.",
      "Add the workflow's secrets to the repository before merging.",
      ("deploy-api", None, ".github/workflows/deploy-api.yml"))
_spec("HD713", "workflow-removed", "build-deploy", "warning", "remove",
      "deploy workflow dropped",
      "A CI workflow that deployed this service is gone.",
      "Deploy by hand or add a workflow on the target.",
      ("deploy-api", ".github/workflows/deploy-api.yml", None))
_spec("HD428", "schedule-runner-changed", "build-deploy", "warning", "change",
      "scheduled job runs on another scheduler",
      "{job} runs {before} on the source and {after} on the target.{detail}",
      "Stop it on the source when it starts on the target, or it runs on both during the switch; check that its command finds its files and env vars in the new image.",
      ("api-cron-1", "on every instance of api", "once, by the platform's scheduler, in api's image"))
_spec("HD720", "schedule-removed", "build-deploy", "breaking", "remove",
      "scheduled job dropped",
      "A cron job of the source does not run on the target: whatever it did (clean-ups, syncs, e-mails) stops.",
      "Recreate it on the target: {schedule}.",
      ("api-cron-1", "0 4 * * * $ROOT/jobs/sync.sh (api)", None))
_spec("HD721", "schedule-added", "build-deploy", "info", "add",
      "scheduled job added",
      "The target runs a cron job the source did not have.",
      "Check that it is meant to run, and how often.",
      ("api-cron-1", None, "0 4 * * * /app/jobs/sync.sh (api)"))
_spec("HD722", "schedule-changed", "build-deploy", "warning", "change",
      "scheduled job changed",
      "The job runs {detail} on the target.",
      "Stop it on the old platform when it starts on the new one, or it runs twice; check the command's paths in the new image.",
      ("api-cron-1", "0 4 * * * $ROOT/jobs/sync.sh (api)", "0 4 * * * /app/jobs/sync.sh (api)"))

# ------------------------------------------------------------------------- cost
_spec("HD801", "cost-estimate", "cost", "info", "change",
      "monthly cost estimate",
      "An estimate from hopper's dated price tables ({dates}), before taxes, traffic and storage use; platform prices change, so check the live pricing pages.",
      "Compare with your current invoice; adjust sizes and counts in the target if needed.",
      ("architecture", "EUR 48.00/month (estimate, prices of 2026-01-09)", "USD 5.88–44.34/month (estimate, prices of 2026-08-07)"))
_spec("HD802", "cost-increase", "cost", "warning", "change",
      "estimated cost goes up by {percent}%",
      "The estimate for the target is well above the source's ({dates}).",
      "Check instance sizes, counts and the database plan on the target.",
      ("architecture", "USD 20.00/month", "USD 82.00/month"))


def _format_specs() -> None:
    """The findings each format declares about its own platform (``Platform.findings_module``)."""
    import importlib  # noqa: PLC0415

    from hopper.formats import format_names, get_format  # noqa: PLC0415

    for name in format_names():
        module = get_format(name).platform.findings_module
        if module:
            for row in importlib.import_module(module).SPECS:
                _spec(*row)


_format_specs()
SPECS: dict[str, FindingSpec] = {s.code: s for s in _SPECS}


def _check() -> None:
    """Refuse a table with duplicate codes or slugs or an unknown category (a programming error)."""
    slugs = [s.slug for s in _SPECS]
    if len(SPECS) != len(_SPECS) or len(set(slugs)) != len(slugs):
        raise ValueError("duplicate finding code or slug in hopper.findings.table")
    for s in _SPECS:
        if s.category not in CATEGORIES or s.severity not in SEVERITIES:
            raise ValueError(f"finding {s.code}: unknown category or severity")


_check()
