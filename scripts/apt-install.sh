#!/usr/bin/env bash
# Install Debian packages quietly, as root or through sudo; output is shown only on failure.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get -qq update && $SUDO apt-get -qq install -y --no-install-recommends "$@"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "apt-install: could not install: $*" >&2
  exit 1
fi
