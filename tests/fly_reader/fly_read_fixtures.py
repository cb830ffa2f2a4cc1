"""Fly setups built inline for the reader and validate tests."""

from __future__ import annotations

from pathlib import Path

FRONT_TOML = """\
app = 'shop-front'
primary_region = 'cdg'

[build]
  dockerfile = 'Dockerfile'

[http_service]
  internal_port = 8080
  force_https = true
  auto_stop_machines = 'stop'
  auto_start_machines = true
  min_machines_running = 0
  processes = ['app']

  [[http_service.checks]]
    interval = '30s'
    timeout = '5s'
    grace_period = '10s'
    method = 'GET'
    path = '/'

[[vm]]
  size = 'shared-cpu-1x'
  memory = '256mb'
"""

FRONT_DOCKERFILE = """\
FROM node:20-alpine AS build
WORKDIR /app
COPY . .
RUN --mount=type=secret,id=SENTRY_AUTH_TOKEN npm ci && npm run build

FROM nginx:1.27-alpine
COPY front/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist /usr/share/nginx/html
EXPOSE 8080
"""

FRONT_NGINX = """\
server {
    listen 8080;
    root /usr/share/nginx/html;
    index index.html;
    gzip on;
    location / {
        try_files $uri $uri/ /index.html;
    }
    location /api/ {
        proxy_pass http://shop-api.flycast/;
        proxy_set_header Host $host;
        client_max_body_size 20m;
    }
}
"""

API_TOML = """\
app = 'shop-api'
primary_region = 'cdg'

[build]
  dockerfile = 'Dockerfile'

[deploy]
  release_command = 'npm run migrate'

[env]
  NODE_ENV = 'production'
  PORT = '3000'

[http_service]
  internal_port = 3000
  force_https = false
  auto_stop_machines = 'stop'
  auto_start_machines = true
  min_machines_running = 0
  processes = ['app']

[[vm]]
  size = 'shared-cpu-1x'
  memory = '512mb'
"""

API_DOCKERFILE = """\
FROM node:20-alpine
WORKDIR /app
COPY api/ .
RUN npm ci --omit=dev
EXPOSE 3000
CMD ["node", "server.js"]
"""

WORKFLOW = """\
name: Deploy {service}
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency: deploy-{service}
    steps:
      - uses: actions/checkout@v4
      - uses: superfly/flyctl-actions/setup-flyctl@v1
      - run: flyctl deploy --remote-only -c {service}/fly.toml{extra}
        env:
          FLY_API_TOKEN: ${{{{ secrets.FLY_API_TOKEN_{upper} }}}}
"""

SETUP = """\
#!/usr/bin/env bash
set -euo pipefail
ORG="${ORG:-personal}"
REGION="${REGION:-cdg}"
fly apps create shop-front --org "$ORG"
fly apps create shop-api --org "$ORG"
fly mpg create --name shop-db --org "$ORG" --region "$REGION" --plan basic --volume-size 10
fly mpg attach "$CLUSTER_ID" -a shop-api --variable-name DATABASE_URL
fly storage create -a shop-api -n shop-media
fly secrets set --stage -a shop-api SESSION_SECRET="$SESSION_SECRET"
fly deploy --flycast -c api/fly.toml
"""


def write_setup(root: Path, *, setup: bool = True, workflows: bool = True,
                nginx: str = FRONT_NGINX, api_toml: str = API_TOML, front_toml: str = FRONT_TOML) -> Path:
    files = {
        "front/fly.toml": front_toml,
        "front/Dockerfile": FRONT_DOCKERFILE,
        "front/nginx.conf": nginx,
        "api/fly.toml": api_toml,
        "api/Dockerfile": API_DOCKERFILE,
        "api/server.js": "require('http').createServer().listen(process.env.PORT)\n",
    }
    if workflows:
        files[".github/workflows/fly-deploy-front.yml"] = WORKFLOW.format(
            service="front", upper="FRONT",
            extra=" --build-secret SENTRY_AUTH_TOKEN=${{ secrets.SENTRY_AUTH_TOKEN }}")
        files[".github/workflows/fly-deploy-api.yml"] = WORKFLOW.format(service="api", upper="API", extra="")
    if setup:
        files["fly-setup.sh"] = SETUP
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root
