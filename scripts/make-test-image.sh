#!/usr/bin/env bash
# Builds the end-to-end tests' image, autoheal-test/busybox:latest, offline: a root file
# system holding only a static busybox and its applets, fed to `docker import` (no registry
# needed). Idempotent: does nothing when the image exists. Needs a Docker engine that
# answers (scripts/provision-docker.sh).
#
# Environment: AUTOHEAL_TEST_IMAGE (default autoheal-test/busybox:latest).
set -euo pipefail

image=${AUTOHEAL_TEST_IMAGE:-autoheal-test/busybox:latest}

if ! docker info >/dev/null 2>&1; then
  echo "make-test-image: the Docker engine does not answer; run scripts/provision-docker.sh first" >&2
  exit 1
fi

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "make-test-image: $image already exists"
  exit 0
fi

# A dynamically linked busybox would not run in an image without a libc: only a static one
# will do (ldd fails on a static binary).
find_static_busybox() {
  local candidate
  for candidate in /bin/busybox /usr/bin/busybox; do
    if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! busybox=$(find_static_busybox); then
  echo "make-test-image: no static busybox; installing busybox-static with apt-get"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo -n); fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static
  busybox=$(find_static_busybox) || {
    echo "make-test-image: busybox-static is installed but no static busybox was found" >&2
    exit 1
  }
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# Every applet (sh, sleep, touch, rm, test, nc, wget, …) as a symlink in /bin.
while read -r applet; do
  [ -n "$applet" ] && [ "$applet" != busybox ] && ln -sf busybox "$rootfs/bin/$applet"
done < <("$busybox" --list)
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

echo "make-test-image: importing $image from $busybox"
tar -C "$rootfs" -c . | docker import \
  -c 'CMD ["/bin/sh"]' \
  -c 'ENV PATH=/bin' \
  -c 'LABEL org.opencontainers.image.title=autoheal-test-busybox' \
  - "$image" >/dev/null
echo "make-test-image: built $image"
