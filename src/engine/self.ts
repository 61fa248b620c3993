/**
 * Finds the id of the container autoheal itself runs in, so that it never restarts itself.
 * Pure parsers over `/proc/self/mountinfo` and `/proc/self/cgroup`, and a thin reader.
 * Knows Docker's layout and Podman's; `AUTOHEAL_SELF_ID` covers any other.
 */
import { readFileSync } from 'node:fs';

/**
 * Files the engine bind-mounts from a per-container directory into every container:
 * Docker's `<data-root>/containers/<id>/`, Podman's `…/overlay-containers/<id>/userdata/`
 * (rootful or rootless, under its graph or its run root; it adds `/run/.containerenv`).
 */
const ENGINE_MOUNT_POINTS: ReadonlySet<string> = new Set([
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/run/.containerenv',
]);
const MOUNT_ROOTS: readonly RegExp[] = [
  /\/containers\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)$/,
  /\/overlay-containers\/([0-9a-f]{64})\/userdata\/(?:hostname|hosts|resolv\.conf|\.containerenv)$/,
];

/**
 * mountinfo fields: id, parent, major:minor, root, mount point, … Only the mounts of the
 * per-container files count, so a bind-mounted `/var/lib/docker` cannot name another
 * container. Works on cgroup v2 hosts, where `/proc/self/cgroup` is just `0::/`.
 */
export function containerIdFromMountinfo(text: string): string | null {
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined || !ENGINE_MOUNT_POINTS.has(mountPoint)) continue;
    for (const pattern of MOUNT_ROOTS) {
      const match = pattern.exec(root);
      if (match?.[1]) return match[1];
    }
  }
  return null;
}

/**
 * cgroup v1 (`…:/docker/<id>`) and systemd-driver paths, Docker's (`…/docker-<id>.scope`)
 * and Podman's (`…/libpod-<id>.scope`, `…/libpod-<id>/container`).
 */
export function containerIdFromCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const match = /(?:^|\/|docker-|libpod-)([0-9a-f]{64})(?:\.scope)?(?:\/container)?$/.exec(path.trim());
    if (match?.[1]) return match[1];
  }
  return null;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The own container's full id, or null when autoheal runs on the host (or not under Docker). */
export function detectOwnContainerId(read: (path: string) => string = readOrEmpty): string | null {
  return (
    containerIdFromMountinfo(read('/proc/self/mountinfo')) ?? containerIdFromCgroup(read('/proc/self/cgroup'))
  );
}
