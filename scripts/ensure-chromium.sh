#!/bin/sh
# Makes sure a headless Chromium is at /usr/bin/chromium for the HTML report tests and
# scripts/screenshot-report.mjs. Installs Debian's `chromium` package with apt-get when it is
# missing and we are root; otherwise says what to do and exits 0 so `npm test` still runs (the
# browser tests then fail with the same hint).
# Usage: sh scripts/ensure-chromium.sh
set -eu
CHROMIUM=${CLAIMSTORM_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing; install it as root: apt-get update && apt-get install -y chromium" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium and set CLAIMSTORM_CHROMIUM" >&2
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
dpkg-query -W chromium >&2
