#!/usr/bin/env bash
# One-command set-up on a fresh Debian/Ubuntu machine (Python 3.11+).
#
#   bash deploy/setup.sh demo   install, then crawl the bundled demo web (syndicrawl demo ARGS)
#   bash deploy/setup.sh test   install with the test extra, start Redis if needed, run pytest ARGS
#
# Everything Python goes into a virtual environment, never into the system's python3: .venv/ in
# the repository, or the folder named by SYNDICRAWL_VENV. It is made once and reused; the install
# step runs again only when pyproject.toml (or the repository's folder) changed.
#
# System packages, from Debian's archive when missing: chromium (JavaScript sites through
# scrapy-playwright; Playwright's own browser download is not used), python3-venv, and for the
# tests redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
mode="${1:-demo}"
shift || true
case "$mode" in
  demo) extra="" ;;
  test) extra="[test]" ;;
  *)
    echo "usage: bash deploy/setup.sh [demo|test] [extra args]" >&2
    exit 2
    ;;
esac

say() { echo "setup: $*" >&2; }

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || {
  echo "setup: syndicrawl needs Python 3.11 or newer as python3 (found: $(python3 --version 2>&1))" >&2
  exit 2
}

venv="${SYNDICRAWL_VENV:-$repo/.venv}"
apt_packages=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
if [ ! -x "$venv/bin/python" ] && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt_packages+=(python3-venv)
fi
if [ "$mode" = test ] && ! command -v redis-server >/dev/null 2>&1; then apt_packages+=(redis-server); fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  say "installing ${apt_packages[*]} from Debian's packages"
  $sudo_cmd apt-get install -y -q "${apt_packages[@]}" >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q "${apt_packages[@]}" >/dev/null; }
fi

if [ -e "$venv" ] && ! "$venv/bin/python" -c pass 2>/dev/null; then
  say "$venv is not a working virtual environment (Python moved?): making it again"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  say "creating a virtual environment in $venv"
  python3 -m venv "$venv"
fi
export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH"
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
# What the last install was made from: reinstall only when it changes.
stamp="$venv/.syndicrawl-installed"
want="$(cd "$repo" && { echo "$repo $extra"; cat pyproject.toml; } | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  say "installing syndicrawl$extra and its dependencies into $venv (the first time takes a few minutes)"
  started=$SECONDS
  # -qq: errors only (dependency metadata warnings are not the user's to act on)
  "$venv/bin/python" -m pip install -qq --editable "$repo$extra"
  echo "$want" >"$stamp"
  say "installed in $((SECONDS - started)) s"
else
  say "syndicrawl$extra is up to date in $venv"
fi

case "$mode" in
  demo)
    say "crawling the demo web; afterwards: source ${venv#"$repo"/}/bin/activate, then syndicrawl --help"
    exec "$venv/bin/python" -m crawler demo "$@"
    ;;
  test)
    if ! "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1).close()" 2>/dev/null; then
      say "starting redis-server on 127.0.0.1:6379"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
      for _ in $(seq 50); do
        "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1).close()" 2>/dev/null && break
        sleep 0.1
      done
    fi
    say "running the tests with $venv/bin/python"
    exec "$venv/bin/python" -m pytest "$@"
    ;;
esac
