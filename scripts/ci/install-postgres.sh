#!/usr/bin/env bash
# Installs PostgreSQL server binaries with the pgvector extension for the storage tests
# (tests start their own throw-away server; nothing is started here).
#  - Debian 12 (bookworm): postgresql-15 + postgresql-server-dev-15, pgvector built from
#    Debian trixie's source package (bookworm has no pgvector 0.8).
#  - Debian 13 (trixie):   postgresql-17 + postgresql-17-pgvector from the normal archive.
# Idempotent: returns quickly when everything is already in place. Must run as root.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if [ ! -r /etc/debian_version ]; then
  echo "install-postgres: not a Debian machine (no /etc/debian_version); skipping" >&2
  exit 0
fi
debian_major=$(cut -d. -f1 /etc/debian_version)

apt_updated=0
apt_update() {
  if [ "$apt_updated" = 0 ]; then
    apt-get -o Acquire::Retries=3 update -qq
    apt_updated=1
  fi
}

# Installs the given packages unless dpkg already has them all.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_update
    apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

case "$debian_major" in
  12 | bookworm*)
    pg=15
    pg_config=/usr/lib/postgresql/$pg/bin/pg_config
    ensure_packages "postgresql-$pg"
    if [ -f "/usr/share/postgresql/$pg/extension/vector.control" ]; then
      echo "install-postgres: PostgreSQL $pg with pgvector already installed"
      exit 0
    fi
    ensure_packages "postgresql-server-dev-$pg" dpkg-dev build-essential
    src_list=/etc/apt/sources.list.d/portflow-trixie-src.sources
    if [ ! -f "$src_list" ]; then
      cat >"$src_list" <<'SOURCES'
# Added by portflow scripts/ci/install-postgres.sh: source packages only (pgvector 0.8 for PG 15).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
      apt_updated=0
    fi
    apt_update
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (
      cd "$work"
      apt-get -o Acquire::Retries=3 source -qq pgvector
      cd "$(find . -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -n1)"
      # with_llvm=no: skip JIT bitcode, which would need a matching clang.
      make -s -j"$(nproc)" PG_CONFIG="$pg_config" with_llvm=no
      make -s install PG_CONFIG="$pg_config" with_llvm=no
    )
    test -f "/usr/share/postgresql/$pg/extension/vector.control"
    echo "install-postgres: built and installed pgvector for PostgreSQL $pg"
    ;;
  13 | trixie*)
    ensure_packages postgresql-17 postgresql-17-pgvector
    echo "install-postgres: PostgreSQL 17 with pgvector installed"
    ;;
  *)
    echo "install-postgres: Debian $debian_major is not handled; the real-server tests will be skipped" >&2
    ;;
esac
