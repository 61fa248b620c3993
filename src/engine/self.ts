/**
 * Finds the id of the container autoheal itself runs in, so that it never restarts itself.
 * Pure parsers over `/proc/self/mountinfo` and `/proc/self/cgroup`, and a thin reader.
 */
import { readFileSync } from 'node:fs';
import { FULL_ID_SOURCE } from '../shared/container-ref.js';

/** Files Docker bind-mounts from `<data-root>/containers/<id>/` into every container. */
const DOCKER_MOUNT_POINTS: ReadonlySet<string> = new Set(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);
const MOUNT_ROOT = new RegExp(`/containers/(${FULL_ID_SOURCE})/(?:hostname|hosts|resolv\\.conf)$`);

/** The id at the end of a cgroup path: `/docker/<id>`, `docker-<id>.scope`. */
const CGROUP_ID = new RegExp(`(?:^|/|docker-)(${FULL_ID_SOURCE})(?:\\.scope)?$`);

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
    if (root === undefined || mountPoint === undefined || !DOCKER_MOUNT_POINTS.has(mountPoint)) continue;
    const match = MOUNT_ROOT.exec(root);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** cgroup v1 (`…:/docker/<id>`) and systemd-driver (`…/docker-<id>.scope`) paths. */
export function containerIdFromCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const match = CGROUP_ID.exec(path.trim());
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
