#!/usr/bin/env bash
# Installs the redis-server binary for the server tests (tests start their own throw-away server
# on a random loopback port; nothing is started or enabled here). Idempotent. Must run as root.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if command -v redis-server >/dev/null 2>&1; then
  echo "install-redis: $(redis-server --version | head -n1) already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis: no apt-get on this machine; the Redis tests will be skipped" >&2
  exit 0
fi

apt-get -o Acquire::Retries=3 update -qq
apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends redis-server
# The Debian package may start a system service; the tests never use it.
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
echo "install-redis: $(redis-server --version | head -n1) installed"
