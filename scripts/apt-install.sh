#!/usr/bin/env bash
# Install Debian packages quietly, as root or through sudo; refresh the index once per run.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -qq update >/dev/null
$SUDO apt-get -qq install -y --no-install-recommends "$@" >/dev/null
