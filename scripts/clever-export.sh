#!/usr/bin/env bash
# Capture the live Clever Cloud setup of one or more apps into a folder hopper can read:
#
#   scripts/clever-export.sh [-o OUT_DIR] [-n NAME] ALIAS...
#   hopper inspect OUT_DIR            (or: hopper convert OUT_DIR --to fly --out ...)
#
# Run it from the repository linked to the apps (the one holding .clever.json), logged in with
# `clever login` (or CLEVER_TOKEN / CLEVER_SECRET set). Each ALIAS is an alias of .clever.json.
# It only reads: every command it runs is a `clever ... -F json` listing or `clever config get`.
#
# Layout written (see docs/clevercloud.md, "Export bundle"):
#   OUT_DIR/hopper-export.json          what was captured
#   OUT_DIR/addons.json                 clever addon list -F json
#   OUT_DIR/applications.json           clever applications list -F json
#   OUT_DIR/apps/ALIAS/status.json      clever status -F json
#   OUT_DIR/apps/ALIAS/env.json         clever env -F json
#   OUT_DIR/apps/ALIAS/published-config.json, service.json, domain.json
#   OUT_DIR/apps/ALIAS/config/NAME      clever config get NAME (one value per file)
#
# WARNING: the bundle holds every env var and add-on credential IN CLEAR. It is written with
# mode 0700/0600; keep it out of git and delete it when done. hopper itself keeps only names
# and digests of secret values.
set -euo pipefail

usage() { sed -n '2,9p' "$0"; }

out="clever-export"
name=""
while getopts ":o:n:h" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    n) name="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "option -$OPTARG needs a value" >&2; exit 64 ;;
    *) echo "unknown option -$OPTARG" >&2; usage >&2; exit 64 ;;
  esac
done
shift $((OPTIND - 1))
if [ "$#" -eq 0 ]; then
  usage >&2
  exit 64
fi

# Aliases and the name end up in file names and in JSON: letters, digits, '.', '_', '-' only.
valid='^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'
for alias in "$@"; do
  if [[ ! "$alias" =~ $valid ]]; then
    echo "invalid alias: $alias" >&2
    exit 64
  fi
done
if [ -z "$name" ]; then
  name="$(basename "$PWD")"
fi
if [[ ! "$name" =~ $valid ]]; then
  echo "invalid name: $name (use -n)" >&2
  exit 64
fi
if ! command -v clever >/dev/null 2>&1; then
  echo "the clever CLI is not installed (npm install -g clever-tools)" >&2
  exit 69
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "$out exists and is not empty; choose another folder with -o" >&2
  exit 73
fi

umask 077
mkdir -p "$out/apps"

capture() {
  local target="$1"
  shift
  if ! "$@" > "$target.tmp"; then
    rm -f "$target.tmp"
    echo "failed: $*" >&2
    return 1
  fi
  mv "$target.tmp" "$target"
}

capture "$out/addons.json" clever addon list -F json
capture "$out/applications.json" clever applications list -F json

for alias in "$@"; do
  dir="$out/apps/$alias"
  mkdir -p "$dir/config"
  capture "$dir/status.json" clever status --alias "$alias" -F json
  capture "$dir/env.json" clever env --alias "$alias" -F json
  capture "$dir/published-config.json" clever published-config --alias "$alias" -F json
  capture "$dir/service.json" clever service --alias "$alias" -F json
  capture "$dir/domain.json" clever domain --alias "$alias" -F json
  for setting in force-https sticky-sessions zero-downtime cancel-on-push task; do
    # `clever config get` prints one value and has no JSON output.
    capture "$dir/config/$setting" clever config get "$setting" --alias "$alias" || true
  done
done

{
  printf '{\n  "format": "hopper-clever-export",\n  "version": 1,\n'
  printf '  "name": "%s",\n  "captured_with": "scripts/clever-export.sh",\n  "apps": [' "$name"
  sep=""
  for alias in "$@"; do
    printf '%s"%s"' "$sep" "$alias"
    sep=", "
  done
  printf ']\n}\n'
} > "$out/hopper-export.json"

echo "wrote $out (contains secrets in clear: keep it out of git)"
