#!/usr/bin/env bash
# Idempotent set-up of everything fnd needs on a Debian 12 machine (run as root):
#   scripts/setup.sh          Node.js + npm, Deno (from npm) and a running Docker engine
#   scripts/setup.sh --test   also what the test suite needs: MariaDB, PostgreSQL,
#                             busybox-static, Debian's docker-registry, openssl
# Quick when everything is already there: it only checks.
set -euo pipefail

DENO_VERSION="${DENO_VERSION:-2.9.6}"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'setup: %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Node.js and npm: Deno comes from npm, and function images (scripts/build_image.ts,
# the test images) copy in the host's node and npm-install the FDK.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

# --- Deno, from the npm registry (JSR and dl.deno.land are not reachable here).
if ! command -v deno >/dev/null 2>&1 || ! deno --version 2>/dev/null | grep -q "deno ${DENO_VERSION%%.*}\."; then
  say "installing deno@${DENO_VERSION} from npm"
  if ! npm install -g --silent --no-fund --no-audit "deno@${DENO_VERSION}" >/tmp/fnd-npm-deno.log 2>&1; then
    say "npm could not install deno@${DENO_VERSION}:"
    tail -20 /tmp/fnd-npm-deno.log >&2
    exit 1
  fi
fi

# --- Docker engine.
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
if [ "$want_test" = 1 ]; then
  command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl) # TLS test certificates
  # The tests run Debian's PostgreSQL 15 binaries as the `postgres` user (tests/_databases.ts).
  { [ -x /usr/lib/postgresql/15/bin/initdb ] && id postgres >/dev/null 2>&1; } || missing+=(postgresql)
fi
[ "${#missing[@]}" -gt 0 ] && apt_install "${missing[@]}"

docker_ok() { timeout 10 docker info >/dev/null 2>&1; }
if ! docker_ok; then
  say "starting dockerd in the background (log: /var/log/fnd-dockerd.log)"
  # A stale pid file from a killed daemon stops a new one from starting.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  # setsid -f: the daemon is forked off at once, so no shell of ours lingers holding the
  # caller's stdout (a `scripts/setup.sh | tail` would otherwise never see EOF).
  pgrep -x dockerd >/dev/null || setsid -f dockerd >/var/log/fnd-dockerd.log 2>&1 </dev/null
  for _ in $(seq 1 60); do
    docker_ok && break
    sleep 1
  done
  docker_ok || { say "dockerd did not answer within 60 s; see /var/log/fnd-dockerd.log"; exit 1; }
fi
say "ready: $(deno --version | head -1), docker $(docker version --format '{{.Server.Version}}')"
