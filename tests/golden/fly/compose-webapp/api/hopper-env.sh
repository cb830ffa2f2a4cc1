#!/bin/sh
# Written by hopper for Fly app webapp-api: the app reads names that Fly does not set. This
# entrypoint derives them from what Fly sets (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_S3, AWS_SECRET_ACCESS_KEY, BUCKET_NAME), then runs the command.
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

if [ -z "${S3_ACCESS_KEY+x}" ] && [ -n "${AWS_ACCESS_KEY_ID:-}" ]; then
  S3_ACCESS_KEY=${AWS_ACCESS_KEY_ID}
  export S3_ACCESS_KEY
fi
if [ -z "${S3_BUCKET+x}" ] && [ -n "${BUCKET_NAME:-}" ]; then
  S3_BUCKET=${BUCKET_NAME}
  export S3_BUCKET
fi
if [ -z "${S3_ENDPOINT+x}" ] && [ -n "${AWS_ENDPOINT_URL_S3:-}" ]; then
  S3_ENDPOINT=${AWS_ENDPOINT_URL_S3}
  export S3_ENDPOINT
fi
if [ -z "${S3_SECRET_KEY+x}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ]; then
  S3_SECRET_KEY=${AWS_SECRET_ACCESS_KEY}
  export S3_SECRET_KEY
fi

exec "$@"
