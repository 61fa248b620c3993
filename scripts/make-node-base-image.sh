#!/usr/bin/env bash
# Builds autoheal-test/node-base:20 with no registry: a minimal root file system holding this
# machine's Node runtime (the binary and the shared libraries ldd names), its npm, and a
# static busybox for /bin/sh and the usual applets, fed to `docker import`. The end-to-end
# tests pass it to the Dockerfile as BASE_IMAGE (build and final stage alike), standing in
# for the official node image that cannot be pulled here.
#
# Laid out like the official image: node in /usr/local/bin, npm in
# /usr/local/lib/node_modules/npm, a `node` user with uid/gid 1000. No CA bundle is copied:
# Node and npm use Node's own root store, so a build behind a TLS-intercepting proxy needs
# the Dockerfile's NPM_CA_CERT_B64 build argument, exactly as with the official image.
#
# Idempotent: does nothing when the image exists and was made from the same Node version.
# Needs a Docker engine that answers (scripts/provision-docker.sh) and a static busybox
# (scripts/make-test-image.sh installs busybox-static when missing).
#
# Environment: AUTOHEAL_NODE_BASE_IMAGE (default autoheal-test/node-base:20).
set -euo pipefail

image=${AUTOHEAL_NODE_BASE_IMAGE:-autoheal-test/node-base:20}
version_label=autoheal-test.node-version

if ! docker info >/dev/null 2>&1; then
  echo "make-node-base-image: the Docker engine does not answer; run scripts/provision-docker.sh first" >&2
  exit 1
fi

node_bin=$(readlink -f "$(command -v node)")
node_version=$("$node_bin" --version)

existing=$(docker image inspect --format "{{index .Config.Labels \"$version_label\"}}" "$image" 2>/dev/null || true)
if [ "$existing" = "$node_version" ]; then
  echo "make-node-base-image: $image (node $node_version) already exists"
  exit 0
fi

# npm's real location: /usr/bin/npm is usually a symlink to <prefix>/lib/node_modules/npm/bin/npm-cli.js.
npm_cli=$(readlink -f "$(command -v npm)")
npm_dir=$(cd "$(dirname "$npm_cli")/.." && pwd)
if [ ! -f "$npm_dir/package.json" ] || [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  echo "make-node-base-image: cannot find the npm installation (looked at $npm_dir)" >&2
  exit 1
fi

# Only a static busybox runs without a libc of its own choosing (ldd fails on a static binary).
busybox=""
for candidate in /bin/busybox /usr/bin/busybox; do
  if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
    busybox=$candidate
    break
  fi
done
if [ -z "$busybox" ]; then
  echo "make-node-base-image: no static busybox found; install busybox-static (scripts/make-test-image.sh does)" >&2
  exit 1
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{bin,etc,root,tmp,usr/bin,usr/local/bin,usr/local/lib/node_modules}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"

cp "$busybox" "$rootfs/bin/busybox"
while read -r applet; do
  [ -n "$applet" ] && [ "$applet" != busybox ] && ln -sf busybox "$rootfs/bin/$applet"
done < <("$busybox" --list)
# `#!/usr/bin/env node` (npm-cli.js, node_modules/.bin/*) needs env where it is looked for.
ln -sf /bin/busybox "$rootfs/usr/bin/env"

cp "$node_bin" "$rootfs/usr/local/bin/node"
# Every shared library and the dynamic loader, at the paths the binary asks for (symlinks
# resolved, so the copy does not depend on the host's /lib layout).
while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done < <(ldd "$node_bin" | grep -oE '/[^ ]+' | sort -u)

cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000::/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
mkdir -p "$rootfs/home/node"

# Files belong to root inside the image, /home/node to the node user, as in the official image.
owner_args=(--owner=0 --group=0)
if [ "$(id -u)" -eq 0 ]; then
  chown -R 0:0 "$rootfs"
  chown -R 1000:1000 "$rootfs/home/node"
  owner_args=()
fi
echo "make-node-base-image: importing $image (node $node_version from $node_bin, npm from $npm_dir)"
tar --numeric-owner "${owner_args[@]}" -C "$rootfs" -c . |
  docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["node"]' \
    -c "LABEL $version_label=$node_version" \
    -c 'LABEL org.opencontainers.image.title=autoheal-test-node-base' \
    - "$image" >/dev/null
echo "make-node-base-image: built $image"
