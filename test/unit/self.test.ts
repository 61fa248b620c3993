import { describe, expect, it } from 'vitest';
import {
  containerIdFromCgroup,
  containerIdFromMountinfo,
  detectOwnContainerId,
} from '../../src/engine/self.js';

const ID = '3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a';
const OTHER = 'e'.repeat(64);

const MOUNTINFO_CONTAINER = `
589 520 0:52 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X
590 589 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
600 589 254:1 /var/lib/docker/volumes/data/_data /data rw,relatime - ext4 /dev/vda1 rw
601 589 254:1 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw
602 589 254:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw
603 589 254:1 /var/lib/docker/containers/${ID}/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw
`;

const MOUNTINFO_HOST = `
22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
30 22 254:1 /var/lib/docker/containers/${OTHER}/hostname /mnt/peek rw - ext4 /dev/vda1 rw
`;

describe('own container detection', () => {
  it('finds the id from the per-container file mounts', () => {
    expect(containerIdFromMountinfo(MOUNTINFO_CONTAINER)).toBe(ID);
  });

  it('finds it when the data root is its own filesystem (root relative to it)', () => {
    const line = `601 589 254:2 /docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/vdb rw`;
    expect(containerIdFromMountinfo(line)).toBe(ID);
  });

  it('ignores another container directory mounted somewhere else (a plain host)', () => {
    expect(containerIdFromMountinfo(MOUNTINFO_HOST)).toBeNull();
    expect(containerIdFromMountinfo('')).toBeNull();
  });

  it('reads cgroup v1 and systemd-driver paths', () => {
    expect(containerIdFromCgroup(`12:memory:/docker/${ID}\n11:cpu:/docker/${ID}\n`)).toBe(ID);
    expect(containerIdFromCgroup(`0::/system.slice/docker-${ID}.scope\n`)).toBe(ID);
    expect(containerIdFromCgroup('0::/\n')).toBeNull();
    expect(containerIdFromCgroup('0::/user.slice/user-1000.slice/session-2.scope\n')).toBeNull();
  });

  it('tries mountinfo, then cgroup, then gives null', () => {
    const files = (mountinfo: string, cgroup: string) => (p: string) =>
      p.endsWith('mountinfo') ? mountinfo : cgroup;
    expect(detectOwnContainerId(files(MOUNTINFO_CONTAINER, '0::/'))).toBe(ID);
    expect(detectOwnContainerId(files('', `3:pids:/docker/${OTHER}`))).toBe(OTHER);
    expect(detectOwnContainerId(files(MOUNTINFO_HOST, '0::/init.scope'))).toBeNull();
    expect(detectOwnContainerId(() => '')).toBeNull();
  });
});

describe('own container detection under Podman', () => {
  it('finds the id from the userdata mounts, rootful (run root) and rootless (graph root)', () => {
    const rootful = [
      `1101 1090 0:60 / / rw - overlay overlay rw,lowerdir=/var/lib/containers/storage/overlay/l/A`,
      `1110 1090 0:26 /containers/storage/overlay-containers/${ID}/userdata/resolv.conf /etc/resolv.conf rw - tmpfs tmpfs rw`,
      `1111 1090 0:26 /containers/storage/overlay-containers/${ID}/userdata/hostname /etc/hostname rw - tmpfs tmpfs rw`,
      `1112 1090 0:26 /containers/storage/overlay-containers/${ID}/userdata/.containerenv /run/.containerenv rw - tmpfs tmpfs rw`,
    ].join('\n');
    expect(containerIdFromMountinfo(rootful)).toBe(ID);
    const rootless = `912 900 254:1 /home/me/.local/share/containers/storage/overlay-containers/${ID}/userdata/hosts /etc/hosts rw - ext4 /dev/vda1 rw`;
    expect(containerIdFromMountinfo(rootless)).toBe(ID);
  });

  it('ignores a Podman container directory mounted elsewhere', () => {
    const line = `30 22 254:1 /var/lib/containers/storage/overlay-containers/${OTHER}/userdata/hostname /mnt/peek rw - ext4 /dev/vda1 rw`;
    expect(containerIdFromMountinfo(line)).toBeNull();
  });

  it("reads Podman's systemd cgroup paths", () => {
    expect(containerIdFromCgroup(`0::/machine.slice/libpod-${ID}.scope\n`)).toBe(ID);
    expect(containerIdFromCgroup(`0::/machine.slice/libpod-${ID}.scope/container\n`)).toBe(ID);
    expect(
      containerIdFromCgroup(
        `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope\n`,
      ),
    ).toBe(ID);
  });
});
