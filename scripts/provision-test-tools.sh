#!/usr/bin/env bash
# Everything `npm test` needs on a Debian machine, installed when missing: a Docker engine
# that answers and the offline test image (scripts/provision-docker.sh,
# scripts/make-test-image.sh), Docker Compose (Debian's docker-compose, unless the
# `docker compose` plugin is already there), Chromium for the browser tests
# (/usr/bin/chromium) and promtool (Debian's prometheus package) for the metrics checks.
# `npm test` runs it as its pretest.
#
# Idempotent and quick when all is there: it runs apt-get (update, then one install without
# recommended packages) only when a tool is missing. Installing needs root or password-less
# sudo. The prometheus package starts a Prometheus server on installation; only promtool is
# wanted, so that server is stopped and disabled again.
#
# `--check`: install nothing; name each missing tool and exit 1 when one is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check_only=false
[ "${1:-}" = --check ] && check_only=true

has_compose() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1
}
has_chromium() { [ -x /usr/bin/chromium ]; }
has_promtool() { command -v promtool >/dev/null 2>&1; }

# tool name, Debian package, test
tools=(
  "docker-compose|docker-compose|has_compose"
  "chromium|chromium|has_chromium"
  "promtool|prometheus|has_promtool"
)

missing_tools=()
packages=()
for entry in "${tools[@]}"; do
  IFS='|' read -r tool package test <<<"$entry"
  if ! "$test"; then
    missing_tools+=("$tool")
    packages+=("$package")
  fi
done

if $check_only; then
  if [ "${#missing_tools[@]}" -gt 0 ]; then
    echo "provision-test-tools: missing ${missing_tools[*]} (Debian packages: ${packages[*]})." \
      "Install with: sudo bash scripts/provision-test-tools.sh" >&2
    exit 1
  fi
  echo "provision-test-tools: docker-compose, chromium and promtool are installed"
  exit 0
fi

bash "$here/provision-docker.sh"
bash "$here/make-test-image.sh"

if [ "${#packages[@]}" -eq 0 ]; then
  echo "provision-test-tools: docker-compose, chromium and promtool are installed; nothing to do"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "provision-test-tools: installing ${packages[*]} (for ${missing_tools[*]}) needs root or password-less sudo;" \
      "run: sudo bash scripts/provision-test-tools.sh" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "provision-test-tools: missing ${missing_tools[*]} and apt-get is not available; install them by hand" >&2
  exit 1
fi

echo "provision-test-tools: installing ${packages[*]} with apt-get (for ${missing_tools[*]})"
apt=("${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l apt-get -q)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${packages[@]}"

# True when a process runs /usr/bin/prometheus (reads /proc: procps may not be installed).
prometheus_runs() {
  local exe
  for exe in /proc/[0-9]*/exe; do
    [ "$(readlink "$exe" 2>/dev/null)" = /usr/bin/prometheus ] && return 0
  done
  return 1
}

if [[ " ${packages[*]} " == *" prometheus "* ]]; then
  # The package's postinst enables the service and starts it (systemd unit, or the init.d
  # script through invoke-rc.d). Undo both: promtool is all the tests use.
  if [ -d /run/systemd/system ]; then
    "${sudo_cmd[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
  if [ -x /etc/init.d/prometheus ]; then
    "${sudo_cmd[@]}" /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    "${sudo_cmd[@]}" update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
  for ((i = 0; i < 30; i++)); do
    prometheus_runs || break
    sleep 1
  done
  if prometheus_runs; then
    echo "provision-test-tools: the prometheus package started a Prometheus server that did not stop;" \
      "stop it by hand (systemctl disable --now prometheus, or /etc/init.d/prometheus stop)" >&2
    exit 1
  fi
  echo "provision-test-tools: promtool installed; the Prometheus server is not running and is disabled"
fi

bash "$here/provision-test-tools.sh" --check
