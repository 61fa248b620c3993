#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, for the end-to-end tests and CI.
# Idempotent: when `docker info` already answers it does nothing. Otherwise it installs
# Debian's docker.io (and busybox-static, for the offline test image) when missing, then
# starts dockerd in the background through scripts/start-dockerd.sh.
# Must run as root (or with password-less sudo) on Debian.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if docker info >/dev/null 2>&1; then
  echo "provision-docker: the Docker engine already answers; nothing to do"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    echo "provision-docker: installing and starting Docker needs root (no sudo found)" >&2
    exit 1
  fi
fi

packages=()
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  packages+=(docker.io)
fi
if [ ! -x /bin/busybox ] && [ ! -x /usr/bin/busybox ]; then
  packages+=(busybox-static)
fi

if [ "${#packages[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "provision-docker: missing ${packages[*]} and apt-get is not available; install Docker by hand" >&2
    exit 1
  fi
  echo "provision-docker: installing ${packages[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l \
    apt-get install -y -q "${packages[@]}"
fi

# The package's service may already have started the engine (on machines with systemd).
bash "$here/start-dockerd.sh"
