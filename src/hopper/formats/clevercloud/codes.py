"""Diagnostic codes of the Clever Cloud format (HOP4xx): 400-429 reading, 450-479 writing."""

from __future__ import annotations

from hopper.diagnostics import Severity, code

# ---------------------------------------------------------------------------- reading
E_NO_SETUP = code("HOP401", Severity.ERROR,
                  "no Clever Cloud setup (Terraform, export bundle or repo hints) was found")
E_HCL_SYNTAX = code("HOP402", Severity.ERROR, "a Terraform file is not valid HCL")
E_BAD_JSON = code("HOP403", Severity.ERROR,
                  "a JSON file of an export bundle or a repo hint is malformed or of the wrong shape")
E_AMBIGUOUS_ROOT = code("HOP404", Severity.ERROR,
                        "several Terraform root modules were found; name one")
E_UNMODELLED = code("HOP405", Severity.ERROR,
                    "a Clever Cloud setup was found, but nothing in it is an app hopper converts")
W_HTACCESS_IGNORED = code("HOP425", Severity.WARNING,
                          "an .htaccess outside the webroot, which Clever ignores, was not read")
I_HTACCESS_ASSUMED = code("HOP426", Severity.INFO,
                          "an .htaccess outside a built webroot is read, assuming the build copies it")
W_NOT_LITERAL = code("HOP410", Severity.WARNING,
                     "a Terraform value is not literal and could not be resolved")
W_UNSUPPORTED_RESOURCE = code("HOP411", Severity.WARNING,
                              "a Clever Cloud resource or add-on is outside hopper's model")
W_REMOTE_MODULE = code("HOP412", Severity.WARNING, "a Terraform module is not local and was not read")
I_STATIC_RUNTIME = code("HOP413", Severity.INFO,
                        "how `clevercloud_static` was read (the provider 2.0 rename)")
W_UNKNOWN_REFERENCE = code("HOP414", Severity.WARNING,
                           "a Terraform reference names nothing that exists")
W_HINTS_ONLY = code("HOP415", Severity.WARNING,
                    "only repo hints were found: the setup read is incomplete")
W_UNKNOWN_FLAVOR = code("HOP416", Severity.WARNING, "an unknown flavor or plan name")
W_UNKNOWN_ZONE = code("HOP417", Severity.WARNING, "an unknown Clever Cloud zone")
I_CLEVER_ONLY = code("HOP418", Severity.INFO,
                     "a Clever-only setting was kept for Clever but has no neutral meaning")
W_LEGACY_FILE = code("HOP419", Severity.WARNING,
                     "an undocumented or legacy clevercloud/*.json file was ignored")
W_CRON = code("HOP420", Severity.WARNING, "a clevercloud/cron.json entry cannot be read as a schedule")
W_UNSUPPORTED_RUNTIME = code("HOP421", Severity.WARNING,
                             "an application runtime outside hopper's model was read as generic")
W_BUNDLE_INCOMPLETE = code("HOP422", Severity.WARNING,
                           "an export bundle lacks a file hopper expected")
W_AUTOSCALING = code("HOP423", Severity.WARNING,
                     "vertical auto-scaling (smallest != biggest flavor) has no neutral form")
I_CRON_APP = code("HOP424", Severity.INFO, "which application runs the clevercloud/cron.json schedules")

# ---------------------------------------------------------------------------- writing
W_NO_SCALE_TO_ZERO = code("HOP450", Severity.WARNING,
                          "Clever Cloud has no scale-to-zero: the app always runs")
W_ROUTE_STRIP = code("HOP451", Severity.WARNING,
                     "Clever path routing cannot strip the path prefix")
W_ROUTE_OPTION = code("HOP452", Severity.WARNING,
                      "a route option (body size, timeouts, buffering, headers) has no Clever form")
W_PORT = code("HOP453", Severity.WARNING,
              "the service listens on a port other than 8080, which Clever routes to")
W_CELLAR_ZONE = code("HOP454", Severity.WARNING, "Cellar is not offered in the zone; another is used")
W_UNSUPPORTED_COMPONENT = code("HOP455", Severity.WARNING,
                               "a component Clever Cloud cannot host as read was left out")
W_PRE_RUN = code("HOP456", Severity.WARNING,
                 "the release command becomes CC_PRE_RUN_HOOK, which runs at every instance start")
W_HEALTH_OPTIONS = code("HOP457", Severity.WARNING,
                        "health-check timing has no Clever form (path only)")
I_DOMAIN = code("HOP458", Severity.INFO,
                "path routing needs a shared domain; hopper declares a variable for it")
W_FLAVOR_FIT = code("HOP459", Severity.WARNING,
                    "no flavor or plan matches the size exactly; the nearest was chosen")
W_MULTI_REGION = code("HOP460", Severity.WARNING,
                      "Clever apps run in one zone; other regions were dropped")
W_NAME_CHANGED = code("HOP461", Severity.WARNING,
                      "a name was changed to be a valid Terraform label or Clever alias")
W_PUBLIC_BUCKET = code("HOP462", Severity.WARNING,
                       "a public bucket needs a bucket policy that Terraform cannot set")
W_NO_WEBROOT = code("HOP463", Severity.WARNING,
                    "the static front's output folder is unknown; CC_WEBROOT is not set")
W_NO_BUILD = code("HOP464", Severity.WARNING,
                  "the Node service has no build command; Clever only installs dependencies")
W_DB_IDENTITY = code("HOP465", Severity.WARNING,
                     "the PostgreSQL add-on generates its database name, user and password")
I_ZONE = code("HOP466", Severity.INFO, "the source's region was mapped to the nearest Clever zone")
W_SECRET_DROPPED = code("HOP467", Severity.WARNING,
                        "a secret of the source is not a Clever variable (an add-on provides it, "
                        "or nothing written uses it)")
W_EXTENSION = code("HOP468", Severity.WARNING, "another format's extension data is not written")
W_NOT_EXPRESSED = code("HOP469", Severity.WARNING,
                       "a setting has no Clever form and is not written")
I_CELLAR = code("HOP470", Severity.INFO, "an object store becomes a Cellar add-on")
I_IMAGE_DOCKERFILE = code("HOP471", Severity.INFO,
                          "an image-only service gets a one-line Dockerfile (FROM <image>)")
I_START_SCRIPT = code("HOP472", Severity.INFO,
                      "a Node service's command becomes its start script (the build's start command)")
I_BOUND_VALUE = code("HOP473", Severity.INFO,
                     "a bound variable gets its value from the resource, not the source's value")
I_SERVICE_ADDON = code("HOP474", Severity.INFO,
                       "a backing service (Redis, MongoDB, MySQL, Metabase, Keycloak) becomes a "
                       "Clever add-on, not a Docker app")
W_ADDON_ZONE = code("HOP475", Severity.WARNING,
                    "an add-on is not offered in the zone; another zone is used")
W_NO_HTTP = code("HOP476", Severity.WARNING,
                 "a reference to an app that does not serve HTTP, or a Docker app without HTTP "
                 "that Clever cannot deploy as a worker")
I_WORKER = code("HOP477", Severity.INFO,
                "a process without HTTP runs as a Clever worker (CC_WORKER_COMMAND)")
W_DEV_VALUE = code("HOP478", Severity.WARNING,
                   "a development value (DEBUG on, localhost hosts) is copied to production")
I_PORT = code("HOP479", Severity.INFO,
              "the app reads PORT, which Clever sets to 8080; the source's port is not written")
W_NODE_ENGINES = code("HOP480", Severity.WARNING,
                      "package.json engines.node, not the source's Node version, decides the "
                      "version on Clever")
