#!/usr/bin/env bash
# Starts the Docker engine (dockerd) in the background, without systemd, and waits until it
# answers. Used by scripts/provision-docker.sh and by the engine-restart e2e scenario, so
# the engine always comes back the same way. Does nothing when an engine already answers.
#
# Environment: DOCKERD_LOG (default /tmp/autoheal-dockerd.log), DOCKERD_WAIT_SECONDS
# (default 60), DOCKERD_ARGS (extra dockerd arguments, split on spaces).
set -euo pipefail

log_file=${DOCKERD_LOG:-/tmp/autoheal-dockerd.log}
wait_seconds=${DOCKERD_WAIT_SECONDS:-60}

engine_answers() { docker info >/dev/null 2>&1; }

# True when a process named dockerd exists (reads /proc: procps may not be installed).
dockerd_exists() {
  local comm_file comm
  for comm_file in /proc/[0-9]*/comm; do
    comm=$(cat "$comm_file" 2>/dev/null) || continue
    [ "$comm" = dockerd ] && return 0
  done
  return 1
}

if engine_answers; then
  echo "start-dockerd: the Docker engine already answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-dockerd: dockerd is not installed; run scripts/provision-docker.sh" >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    echo "start-dockerd: starting dockerd needs root (no sudo found)" >&2
    exit 1
  fi
fi

# A dockerd that is still shutting down (or starting) must not get a twin: wait for it.
if dockerd_exists; then
  echo "start-dockerd: a dockerd process exists but does not answer yet; waiting for it"
else
  read -r -a extra_args <<<"${DOCKERD_ARGS:-}"
  echo "start-dockerd: starting dockerd in the background (log: $log_file)"
  # setsid: dockerd gets its own session, so it outlives the shell or test that started it
  # and is not hit by signals sent to that process group.
  "${sudo_cmd[@]}" setsid nohup dockerd "${extra_args[@]}" >>"$log_file" 2>&1 </dev/null &
fi

for ((i = 0; i < wait_seconds; i++)); do
  if engine_answers; then
    echo "start-dockerd: the Docker engine answers (after ${i}s)"
    exit 0
  fi
  sleep 1
done

echo "start-dockerd: dockerd did not answer within ${wait_seconds}s. Last lines of $log_file:" >&2
tail -n 40 "$log_file" >&2 || true
exit 1
