#!/usr/bin/env bash
# One-time Fly.io provisioning for webapp, written by hopper from the compose setup. See MIGRATION.md.
#
# By default this script only prints the commands it would run. To run them:
#     HOPPER_APPLY=1 ./fly-setup.sh
# Steps already done are skipped where flyctl can tell (apps, attachments, secrets, IPs).
#
# Secret values never appear in this file or on a command line. For each app, put NAME=value
# lines in "$HOPPER_SECRETS_DIR/<folder>.env" (default folder: fly-secrets/, which hopper never
# writes; keep it out of git), or export the names listed below before running: each value goes
# to flyctl on stdin.
set -euo pipefail

APPLY="${HOPPER_APPLY:-0}"
ORG="${HOPPER_FLY_ORG:-}"
if [ -z "$ORG" ]; then ORG=personal; fi
REGION="${HOPPER_FLY_REGION:-}"
if [ -z "$REGION" ]; then REGION=iad; fi
SECRETS_DIR="${HOPPER_SECRETS_DIR:-fly-secrets}"
MISSING=0

say() { printf '%s\n' "$*" >&2; }

# Print a command (shell-quoted), and run it when HOPPER_APPLY=1.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [ "$APPLY" = 1 ]; then
    "$@"
  fi
}

applying() { [ "$APPLY" = 1 ]; }

app_exists() { applying && flyctl status --app "$1" >/dev/null 2>&1; }

has_secret() {
  applying && flyctl secrets list --app "$1" 2>/dev/null | awk 'NR > 1 { print $1 }' | grep -qxF -- "$2"
}

has_private_ip() {
  applying && flyctl ips list --app "$1" 2>/dev/null | grep -qi 'private'
}

create_app() {
  if app_exists "$1"; then
    say "app $1 exists; skipped"
    return 0
  fi
  run flyctl apps create --name "$1" --org "$ORG"
}

# stage_secrets APP FOLDER NAME...: from $SECRETS_DIR/FOLDER.env if present, otherwise from the
# operator's environment, one value at a time on stdin. Nothing is deployed yet (--stage).
stage_secrets() {
  local app=$1 folder=$2 name
  shift 2
  if [ -f "$SECRETS_DIR/$folder.env" ]; then
    printf '+ flyctl secrets import --stage --app %q < %q\n' "$app" "$SECRETS_DIR/$folder.env"
    if applying; then
      flyctl secrets import --stage --app "$app" <"$SECRETS_DIR/$folder.env"
    fi
    return 0
  fi
  for name in "$@"; do
    if [ -n "${!name+x}" ]; then
      # flyctl reads at most 64 KiB of a value from stdin: refuse a longer one by name.
      if [ "$(printf '%s' "${!name}" | wc -c)" -gt 65536 ]; then
        say "secret $name for $app is over 64 KiB, more than flyctl reads from stdin; set it another way"
        MISSING=$((MISSING + 1))
        continue
      fi
      printf '+ printf %%s "$%s" | flyctl secrets set --stage --app %q %q\n' "$name" "$app" "$name=-"
      if applying; then
        printf '%s' "${!name}" | flyctl secrets set --stage --app "$app" "$name=-"
      fi
    elif has_secret "$app" "$name"; then
      say "secret $name of $app is already set; skipped"
    else
      say "missing secret $name for $app: export it or add it to $SECRETS_DIR/$folder.env"
      MISSING=$((MISSING + 1))
    fi
  done
}

if applying && ! command -v flyctl >/dev/null 2>&1; then
  say "flyctl is not installed: https://fly.io/docs/flyctl/install/"
  exit 1
fi

say "== 1. Apps"
create_app webapp-api
create_app webapp-front

say "== 2. Private addresses (Flycast) for apps only the front reaches"
if has_private_ip webapp-api; then
  say "app webapp-api has a private address; skipped"
else
  run flyctl ips allocate-v6 --private --app webapp-api
fi

say "== 3. PostgreSQL"
# Managed Postgres cluster webapp-db (plan basic, region iad).
if applying && flyctl mpg list --org "$ORG" 2>/dev/null | grep -qwF -- webapp-db; then
  say "Postgres cluster webapp-db exists; skipped"
else
  run flyctl mpg create --name webapp-db --org "$ORG" --region iad --plan basic --volume-size 10 --pg-major-version 16
fi
if has_secret webapp-api DATABASE_URL; then
  say "webapp-api already has DATABASE_URL; skipped"
else
  cluster_id="${HOPPER_MPG_CLUSTER_ID:-}"
  if [ -z "$cluster_id" ] && applying; then
    cluster_id=$(flyctl mpg list --org "$ORG" 2>/dev/null | awk -v n=webapp-db '{ for (i = 1; i <= NF; i++) if ($i == n) { print $1; exit } }')
  fi
  if [ -z "$cluster_id" ] && applying; then
    say "cannot find the id of cluster webapp-db: run 'flyctl mpg list' and rerun with HOPPER_MPG_CLUSTER_ID=<id>"
    exit 1
  fi
  run flyctl mpg attach "${cluster_id:-<cluster-id>}" --app webapp-api --variable-name DATABASE_URL
fi

say "== 4. Object storage (Tigris)"
# Object store minio (Tigris): webapp-media
if has_secret webapp-api BUCKET_NAME; then
  say "webapp-api already has a bucket; skipped"
else
  run flyctl storage create --app webapp-api --name webapp-media
fi

say "== 5. Secrets (staged: applied by the first deploy)"
say "webapp-api: no secrets to stage"
say "webapp-front: no secrets to stage"

say "== 6. Deploy tokens for GitHub Actions (needs the gh CLI; the token goes through a pipe)"
if [ "${HOPPER_SET_GITHUB_SECRETS:-0}" = 1 ]; then
  printf '+ flyctl tokens create deploy --app %q | gh secret set %q\n' webapp-api FLY_API_TOKEN_API
  if applying; then
    flyctl tokens create deploy --app webapp-api | gh secret set FLY_API_TOKEN_API
  fi
  printf '+ flyctl tokens create deploy --app %q | gh secret set %q\n' webapp-front FLY_API_TOKEN_FRONT
  if applying; then
    flyctl tokens create deploy --app webapp-front | gh secret set FLY_API_TOKEN_FRONT
  fi
else
  say "skipped: rerun with HOPPER_SET_GITHUB_SECRETS=1, or set FLY_API_TOKEN_API FLY_API_TOKEN_FRONT by hand"
fi

say "== 7. First deploy (private apps first, the front last)"
if [ "$MISSING" -gt 0 ]; then
  if applying; then
    say "$MISSING value(s) missing (listed above): nothing is deployed until they are set; rerun then (the steps done are skipped)"
    exit 1
  fi
  say "$MISSING value(s) missing (listed above): with HOPPER_APPLY=1 the script stops here until they are set"
fi
run flyctl deploy api --config fly.toml --remote-only --flycast --ha=false
run flyctl deploy . --config front/fly.toml --remote-only --ha=false

say "done; next: MIGRATION.md, step 2 (copy the data)"
