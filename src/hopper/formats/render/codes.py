"""Diagnostic codes of the Render format (HOP900-954): 900-919 reading, 920-954 writing."""

from __future__ import annotations

from hopper.diagnostics import Severity, code

# ---------------------------------------------------------------------------- reading
E_NO_BLUEPRINT = code("HOP900", Severity.ERROR, "no render.yaml (or render.yml) was found")
E_BLUEPRINT_SHAPE = code("HOP901", Severity.ERROR,
                         "render.yaml is not a Blueprint: a key has the wrong type or is missing")
W_UNKNOWN_KEY = code("HOP902", Severity.WARNING,
                     "a render.yaml key or value hopper does not model was not read")
W_UNRESOLVED_REFERENCE = code("HOP903", Severity.WARNING,
                              "a fromDatabase/fromService/fromGroup names nothing in the Blueprint")
W_UNKNOWN_PLAN = code("HOP904", Severity.WARNING, "an unknown Render plan or region")
I_DEPRECATED_KEY = code("HOP905", Severity.INFO,
                        "a deprecated Blueprint key was read as its replacement (env, redis, autoDeploy)")
W_FRONT_CONFIG = code("HOP906", Severity.WARNING,
                      "the nginx.conf of a web service running nginx could not be read")

# ---------------------------------------------------------------------------- writing
I_REGION = code("HOP920", Severity.INFO, "the Render region hopper chose, and why")
E_REGION_UNKNOWN = code("HOP921", Severity.ERROR, "--region is not a Render region")
E_SOURCE_REGION = code("HOP922", Severity.ERROR,
                       "the source's region is not a place hopper knows, and no --region is given")
W_NO_REGION = code("HOP923", Severity.WARNING,
                   "the source states no region; Render's default region is used")
W_REGION_JURISDICTION = code("HOP924", Severity.WARNING,
                             "no Render region is in the source's jurisdiction or near it")
I_PLAN = code("HOP925", Severity.INFO, "the Render plan hopper chose, and why")
W_PLAN_CLAMPED = code("HOP926", Severity.WARNING,
                      "the source's CPU or memory does not fit any Render plan and was reduced")
W_OBJECT_STORE = code("HOP927", Severity.WARNING,
                      "Render has no object storage: the bucket stays where it is")
W_API_PUBLIC = code("HOP928", Severity.WARNING,
                    "a static site's rewrite reaches only public URLs: the API becomes a public web service")
I_FRONT_NGINX = code("HOP929", Severity.INFO,
                     "the front runs the emitted nginx as a web service; the API stays private")
W_ROUTE_OPTION = code("HOP930", Severity.WARNING,
                      "a route option (limits, timeouts, headers) has no static-site rewrite form")
W_DISK_SCALE = code("HOP931", Severity.WARNING,
                    "a service with a disk runs one instance on Render")
W_VOLUME = code("HOP932", Severity.WARNING,
                "a volume Render cannot express (bind mount, tmpfs, a second disk) was left out")
W_HEALTH_PRIVATE = code("HOP933", Severity.WARNING,
                        "Render has no health check for private services and workers")
W_COMPONENT = code("HOP934", Severity.WARNING,
                   "a component Render cannot host as read was left out")
W_AUTOSCALING = code("HOP935", Severity.WARNING,
                     "autoscaling needs a Professional workspace; a CPU target was assumed")
I_SECRET_PROMPT = code("HOP936", Severity.INFO,
                       "secrets are names only (sync: false): Render asks for them once, at Blueprint creation")
W_SERVICE_URL = code("HOP937", Severity.WARNING,
                     "Render has no property for a service's URL: the URL is written from its private host name")
W_DB_VERSION = code("HOP938", Severity.WARNING,
                    "the PostgreSQL version or disk size is not one Render offers and was changed")
W_KEYVALUE = code("HOP939", Severity.WARNING,
                  "a Redis service becomes Render Key Value: its image and command are not kept")
W_SCHEDULE = code("HOP940", Severity.WARNING,
                  "a schedule was written as a Render cron job with a change (UTC, shorthand expanded)")
W_NO_BUILD = code("HOP941", Severity.WARNING,
                  "a service has neither a build Render can run nor an image and was left out")
W_STATIC_ENV = code("HOP942", Severity.WARNING,
                    "a static site has no runtime: its variables are set only while it is built")
W_AUTOSTOP = code("HOP943", Severity.WARNING,
                  "Render paid services do not stop when idle; scale-to-zero is lost")
W_EXTENSION = code("HOP944", Severity.WARNING,
                   "another format's own settings have no Render form and are dropped")
E_FRONT_VALUE = code("HOP946", Severity.ERROR,
                     "a value of the front cannot be written into the emitted nginx.conf")
I_SECRET_PROVIDED = code("HOP947", Severity.INFO,
                         "a secret of the source is provided by Render itself (a database's credentials)")
W_GENERIC_NAME = code("HOP948", Severity.WARNING,
                      "a Render service or database keeps a generic name, which adopts an existing "
                      "resource of that name in the account")
W_GUESSED_URL = code("HOP949", Severity.WARNING,
                     "a static site's rewrite goes to a guessed public URL of the API, to confirm "
                     "in the dashboard before the first deploy")
W_DB_HA_WORKSPACE = code("HOP950", Severity.WARNING,
                         "high availability needs a Professional workspace and a Pro plan; a Hobby "
                         "workspace cannot create the database as written")
W_DB_HA_VERSION = code("HOP951", Severity.WARNING,
                       "high availability needs PostgreSQL 13 or newer: it is not written")
W_CHECKOUT_FILE = code("HOP952", Severity.WARNING,
                       "a checkout file a service builds from (package.json, the front's Dockerfile) "
                       "cannot be read: the service is read from render.yaml alone")
