#!/usr/bin/env bash
# One-command set-up on a fresh Debian/Ubuntu machine (Python 3.11+ with pip).
#
#   bash deploy/setup.sh demo   install, then crawl the bundled demo web (syndicrawl demo)
#   bash deploy/setup.sh test   install with the test extra, start Redis if needed, run the tests
#
# System packages: Debian's chromium (JavaScript sites through scrapy-playwright; Playwright's own
# browser download is not used) and, for the tests, redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"
shift || true

apt_packages=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
if [ "$mode" = test ] && ! command -v redis-server >/dev/null 2>&1; then apt_packages+=(redis-server); fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  echo "setup: installing ${apt_packages[*]} from Debian's packages"
  $sudo_cmd apt-get install -y -q "${apt_packages[@]}" >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q "${apt_packages[@]}" >/dev/null; }
fi

case "$mode" in
  demo)
    python3 -m pip install -q -e . 2>&1 | grep -v "Running pip as the 'root' user" || true
    exec python3 -m crawler demo "$@"
    ;;
  test)
    python3 -m pip install -q -e ".[test]" 2>&1 | grep -v "Running pip as the 'root' user" || true
    if ! python3 -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1).close()" 2>/dev/null; then
      echo "setup: starting redis-server on 127.0.0.1:6379"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
      for _ in $(seq 50); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1).close()" 2>/dev/null && break
        sleep 0.1
      done
    fi
    exec python3 -m pytest "$@"
    ;;
  *)
    echo "usage: bash deploy/setup.sh [demo|test] [extra args]" >&2
    exit 2
    ;;
esac
