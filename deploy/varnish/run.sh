#!/usr/bin/env bash
# Starts Varnish in front of Bazaar in the foreground, under a working directory of its own
# (never as a system service). Settings, all optional:
#   ORIGIN=127.0.0.1:3000          the API process (or the HAProxy in front of several)
#   LISTEN=127.0.0.1:6081          where Varnish answers
#   PURGERS=127.0.0.1,10.0.0.0/8   hosts allowed to PURGE and BAN (the API and worker hosts)
#   HEALTHY_GRACE=5                stale-while-revalidate seconds while the origin is healthy
#   SESSION_COOKIES=bz_session cookies that make a request personal (|-separated)
#   STORAGE=malloc,256m            varnishd -s
#   WORK_DIR=$(mktemp -d)          varnishd -n (state, compiled VCL, shared memory log)
# Example: ORIGIN=127.0.0.1:3000 LISTEN=127.0.0.1:6081 deploy/varnish/run.sh
# Then point CDN_PURGE_URLS=http://127.0.0.1:6081 at it, so the cache invalidator bans there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
origin="${ORIGIN:-127.0.0.1:3000}"
listen="${LISTEN:-127.0.0.1:6081}"
purgers="${PURGERS:-127.0.0.1}"
work="${WORK_DIR:-$(mktemp -d -t bazaar-varnish-XXXXXX)}"
varnishd="${VARNISHD:-$(command -v varnishd || echo /usr/sbin/varnishd)}"

acl=""
IFS=',' read -ra entries <<<"$purgers"
for entry in "${entries[@]}"; do
  entry="${entry// /}"
  [ -z "$entry" ] && continue
  if [[ "$entry" == */* ]]; then acl+="\"${entry%/*}\"/${entry#*/}; "; else acl+="\"$entry\"; "; fi
done

mkdir -p "$work"
sed -e "s|@ORIGIN_HOST@|${origin%:*}|" -e "s|@ORIGIN_PORT@|${origin##*:}|" -e "s|@PURGERS@|$acl|" \
    -e "s/@HEALTHY_GRACE@/${HEALTHY_GRACE:-5}/" -e "s/@SESSION_COOKIES@/${SESSION_COOKIES:-bz_session}/" \
    "$here/bazaar.vcl" >"$work/bazaar.vcl"
echo "varnish: $listen -> $origin (state in $work)" >&2
# -j none: run as the invoking user; the working directory is ours, not /var/lib/varnish.
exec "$varnishd" -F -j none -n "$work" -a "$listen" -f "$work/bazaar.vcl" -s "${STORAGE:-malloc,256m}" \
  -p default_grace=0 -p ban_lurker_sleep=0.05
