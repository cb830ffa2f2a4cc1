#!/bin/sh
# Written by hopper for Fly app photo-share-api: the app reads names that Fly does not set. This
# entrypoint derives them from what Fly sets (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_S3, AWS_SECRET_ACCESS_KEY, DATABASE_URL), then runs the command.
# A name that is already set (a secret, [env]) is left alone. URL parts are passed through as
# they appear in the URL (percent-encoding is not decoded).
set -eu

# hopper_url_part PART URL: scheme, user, password, host, port or database of a URL.
hopper_url_part() {
  rest=${2#*://}
  case $rest in
    *@*) creds=${rest%@*}; hostpart=${rest##*@} ;;
    *) creds=; hostpart=$rest ;;
  esac
  hostport=${hostpart%%/*}
  case $hostpart in
    */*) path=${hostpart#*/} ;;
    *) path= ;;
  esac
  path=${path%%\?*}
  case $hostport in
    \[*\]:*) host=${hostport%:*}; port=${hostport##*:} ;;
    \[*\]) host=$hostport; port= ;;
    *:*) host=${hostport%:*}; port=${hostport##*:} ;;
    *) host=$hostport; port= ;;
  esac
  case $1 in
    scheme) printf '%s' "${2%%://*}" ;;
    user) printf '%s' "${creds%%:*}" ;;
    password) case $creds in *:*) printf '%s' "${creds#*:}" ;; esac ;;
    host) printf '%s' "$host" ;;
    port) printf '%s' "${port:-5432}" ;;
    database) printf '%s' "$path" ;;
  esac
}

if [ -z "${CELLAR_ADDON_HOST+x}" ] && [ -n "${AWS_ENDPOINT_URL_S3:-}" ]; then
  CELLAR_ADDON_HOST=$(hopper_url_part host "${AWS_ENDPOINT_URL_S3}")
  export CELLAR_ADDON_HOST
fi
if [ -z "${CELLAR_ADDON_KEY_ID+x}" ] && [ -n "${AWS_ACCESS_KEY_ID:-}" ]; then
  CELLAR_ADDON_KEY_ID=${AWS_ACCESS_KEY_ID}
  export CELLAR_ADDON_KEY_ID
fi
if [ -z "${CELLAR_ADDON_KEY_SECRET+x}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ]; then
  CELLAR_ADDON_KEY_SECRET=${AWS_SECRET_ACCESS_KEY}
  export CELLAR_ADDON_KEY_SECRET
fi
if [ -z "${POSTGRESQL_ADDON_HOST+x}" ] && [ -n "${DATABASE_URL:-}" ]; then
  POSTGRESQL_ADDON_HOST=$(hopper_url_part host "${DATABASE_URL}")
  export POSTGRESQL_ADDON_HOST
fi
if [ -z "${POSTGRESQL_ADDON_PASSWORD+x}" ] && [ -n "${DATABASE_URL:-}" ]; then
  POSTGRESQL_ADDON_PASSWORD=$(hopper_url_part password "${DATABASE_URL}")
  export POSTGRESQL_ADDON_PASSWORD
fi
if [ -z "${POSTGRESQL_ADDON_PORT+x}" ] && [ -n "${DATABASE_URL:-}" ]; then
  POSTGRESQL_ADDON_PORT=$(hopper_url_part port "${DATABASE_URL}")
  export POSTGRESQL_ADDON_PORT
fi
if [ -z "${POSTGRESQL_ADDON_URI+x}" ] && [ -n "${DATABASE_URL:-}" ]; then
  POSTGRESQL_ADDON_URI=${DATABASE_URL}
  export POSTGRESQL_ADDON_URI
fi

exec "$@"
