#!/usr/bin/env bash
# Installs Debian's Chromium (and CJK fonts, so screenshots show every script) for the console's
# browser test, which drives /usr/bin/chromium through playwright-core (Playwright's own browser
# download cannot work on these machines). Idempotent; Debian 12 and 13 ship the same package names.
# Must run as root.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1) already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get on this machine; the console browser test will be skipped" >&2
  exit 0
fi

apt-get -o Acquire::Retries=3 update -qq
apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends chromium fonts-noto-cjk fonts-dejavu-core
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1) installed"
