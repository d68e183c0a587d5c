#!/usr/bin/env bash
# Real test infrastructure for integration tests (see /work/shared/recipes/test-infra.md):
#   - a Docker Engine (dockerd) isolated under a state folder, with a locally built
#     busybox image `ci/busybox:latest` (no registry is reachable here)
#   - an OpenSSH server on 127.0.0.1:2222 with its own host key and a throwaway user
#     in group docker whose sessions get DOCKER_HOST (SetEnv) pointing at that engine
#
#   bash scripts/test-infra.sh up       start (reuses a running instance), print the env file path
#   bash scripts/test-infra.sh env      print the env file (KEY=value lines; `set -a; . FILE`)
#   bash scripts/test-infra.sh status   exit 0 when both services answer
#   bash scripts/test-infra.sh down     stop by PID, unmount, remove the user and the folder
#
# Env: AICOCKPIT_INFRA_DIR (default /tmp/aicockpit-infra), AICOCKPIT_TEST_SSH_PORT
# (default 2222; a free port is chosen when it is taken by someone else).
#
# Networking: dockerd runs with --iptables=false (no NAT rules on the host). Containers
# still get the default bridge network and ports published to 127.0.0.1 work through
# docker-proxy (userland proxy); test/integration/infra.test.ts proves it. What does
# not work is a container reaching beyond the host (no masquerading) - nothing here
# needs that, and this machine has no network anyway.
#
# One instance per machine is the intended use: `up` reuses a running instance at the
# same folder, and scripts/test.sh then leaves it running. Instances at different
# folders get their own engine, user and (if 2222 is taken) sshd port, but share the
# default bridge docker0 and its 172.17.0.0/16 addresses.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
AIC_LOG_TAG=test-infra

D="${AICOCKPIT_INFRA_DIR:-/tmp/aicockpit-infra}"
ENV_FILE="$D/env"
SOCK="$D/docker.sock"
IMAGE="ci/busybox:latest"

need_root() {
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || aic_die "needs root (dockerd, sshd, useradd)"
    exec sudo -E bash "$0" "$@"
  fi
}

# pid_alive PIDFILE PATTERN: the pid in PIDFILE runs and its command line contains PATTERN
# (guards against a recycled pid belonging to someone else).
pid_alive() {
  local f="$1" pat="$2" pid
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 <"$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pat"
}

docker_ping() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

status() {
  pid_alive "$D/dockerd.pid" "$D/root" && docker_ping &&
    pid_alive "$D/ssh/sshd.pid" "$D/ssh/sshd_config" && [ -s "$ENV_FILE" ]
}

# stop_pid PIDFILE PATTERN SECONDS: SIGTERM, wait, SIGKILL
stop_pid() {
  local f="$1" pat="$2" secs="$3" pid i
  pid_alive "$f" "$pat" || return 0
  pid=$(tr -dc 0-9 <"$f")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.1
  done
  aic_log "pid $pid ($pat) ignored SIGTERM for ${secs}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local t user
  t=$(aic_now)
  [ -d "$D" ] || { aic_log "down: nothing at $D"; return 0; }
  stop_extras
  stop_pid "$D/ssh/sshd.pid" "$D/ssh/sshd_config" 5
  # dockerd stops its containers and its managed containerd itself (~4.5 s).
  stop_pid "$D/dockerd.pid" "$D/root" 30
  # containerd and its shims can outlive a SIGKILLed dockerd; they carry our exec-root in
  # argv. The same path may belong to another instance in another chroot or mount
  # namespace (seen: a chroot's `down` took the host's engine with it), so only processes
  # that share our root directory count, and dockerd itself is only ever stopped through
  # its pidfile above.
  local p myroot
  myroot=$(stat -L -c %d:%i /)
  for p in /proc/[0-9]*; do
    [ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" = "$myroot" ] || continue
    case "$(cat "$p/comm" 2>/dev/null)" in containerd | containerd-shim*) ;; *) continue ;; esac
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$D/exec"; then
      kill -KILL "${p#/proc/}" 2>/dev/null || true
    fi
  done
  # overlay, netns and shm mounts below the folder, deepest first
  awk -v d="$D" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  if [ -s "$D/user" ]; then
    user=$(cat "$D/user")
    if id "$user" >/dev/null 2>&1; then
      # only our own throwaway users (aict_ prefix), never anyone else's
      case "$user" in aict_*) userdel -r "$user" >/dev/null 2>&1 || userdel "$user" || true ;; esac
    fi
  fi
  if [ -s "$D/created-bridge" ] && ip link show docker0 >/dev/null 2>&1; then
    ip link delete docker0 2>/dev/null || true
  fi
  rm -rf "$D"
  aic_log "down: stopped and removed $D ($(aic_since "$t") s)"
}

# dockerd needs the cgroup hierarchies. This machine kind mounts them at boot; a bare
# chroot or a minimal VM may not (docker.io only recommends cgroupfs-mount), so mount
# them the way cgroupfs-mount does when none are there.
ensure_cgroups() {
  if awk '$3 == "cgroup2" || ($3 == "cgroup" && $2 ~ /^\/sys\/fs\/cgroup\//) { found = 1 } END { exit !found }' /proc/self/mounts; then
    return 0
  fi
  aic_log "no cgroup hierarchies mounted: mounting them (as cgroupfs-mount does)"
  mountpoint -q /sys/fs/cgroup || mount -t tmpfs -o uid=0,gid=0,mode=0755 cgroup /sys/fs/cgroup
  local ss
  for ss in $(awk '!/^#/ { if ($4 == 1) print $1 }' /proc/cgroups); do
    mkdir -p "/sys/fs/cgroup/$ss"
    mountpoint -q "/sys/fs/cgroup/$ss" || mount -n -t cgroup -o "$ss" cgroup "/sys/fs/cgroup/$ss" || rmdir "/sys/fs/cgroup/$ss" || true
  done
}

start_dockerd() {
  local driver="$1" i
  rm -rf "$D/root" "$D/exec"
  mkdir -p "$D/root" "$D/exec"
  # setsid: its own session, so a Ctrl-C in the caller's terminal does not reach it.
  setsid dockerd \
    --data-root "$D/root" --exec-root "$D/exec" \
    -H "unix://$SOCK" --pidfile "$D/dockerd.pid" \
    --iptables=false --storage-driver="$driver" \
    >"$D/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  for ((i = 0; i < 300; i++)); do
    if docker_ping; then return 0; fi
    if ! [ -d "/proc/$pid" ]; then
      aic_log "dockerd ($driver) exited; last log lines:"
      tail -5 "$D/dockerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
  aic_log "dockerd ($driver) did not answer _ping within 30 s"
  kill -TERM "$pid" 2>/dev/null || true
  return 1
}

import_busybox() {
  local r="$D/rootfs" a
  if DOCKER_HOST="unix://$SOCK" docker image inspect "$IMAGE" >/dev/null 2>&1; then return 0; fi
  rm -rf "$r"
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/workspace" "$r/root"
  cp /bin/busybox "$r/bin/busybox"
  for a in $("$r/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
  done
  chmod 1777 "$r/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
  tar -C "$r" -c . | DOCKER_HOST="unix://$SOCK" docker import \
    -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  rm -rf "$r"
}

start_sshd() {
  local port="$1" user="$2" s="$D/ssh" i
  mkdir -p "$s/authorized" /run/sshd
  chmod 755 "$s" "$s/authorized"
  ssh-keygen -q -t ed25519 -N '' -C "aicockpit-test-host" -f "$s/host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C "aicockpit-test-client" -f "$s/client_key"
  cp "$s/client_key.pub" "$s/authorized/$user"
  chmod 644 "$s/authorized/$user"
  cat >"$s/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $s/host_ed25519_key
PidFile $s/sshd.pid
AuthorizedKeysFile $s/authorized/%u
AllowUsers $user
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
# without PAM a user with no password is "locked" and refused
UsePAM yes
# our key folders live under /tmp, which StrictModes rejects
StrictModes no
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
SetEnv DOCKER_HOST=unix://$SOCK
Subsystem sftp internal-sftp
EOF
  /usr/sbin/sshd -t -f "$s/sshd_config"
  /usr/sbin/sshd -f "$s/sshd_config" -E "$s/sshd.log"
  for ((i = 0; i < 50; i++)); do
    if [ -s "$s/sshd.pid" ] && port_in_use "$port"; then return 0; fi
    sleep 0.1
  done
  aic_log "sshd did not start; log:"
  cat "$s/sshd.log" >&2 || true
  return 1
}

# Extras for the SSH host layer (test/integration/hosts*.test.ts), on top of the first sshd:
#   - a second sshd on another port, the jump host: same user and keys, its own host key,
#     LogLevel DEBUG1 so its log shows each forwarded (direct-tcpip) connection — the proof
#     that a hop really went through it;
#   - an encrypted client key (passphrase in the env file: a test secret, not a real one);
#   - an ssh-agent holding a key of its own that only it can offer;
#   - a password for the throwaway user, accepted by the jump sshd only (password auth).
# Additive: a running instance from an older script gets them on the next `up`.
extras_status() {
  pid_alive "$D/ssh/jump/sshd.pid" "$D/ssh/jump/sshd_config" && pid_alive "$D/ssh/agent.pid" "ssh-agent" &&
    grep -q '^AICOCKPIT_TEST_SSH_PASSWORD=' "$D/ssh/extras.env" 2>/dev/null
}

stop_extras() {
  stop_pid "$D/ssh/jump/sshd.pid" "$D/ssh/jump/sshd_config" 5
  stop_pid "$D/ssh/agent.pid" "ssh-agent" 5
}

ensure_extras() {
  local s="$D/ssh" j="$D/ssh/jump" user jport pass pw i out
  if extras_status; then append_extras_env; return 0; fi
  stop_extras
  user=$(cat "$D/user")
  rm -rf "$j" "$s/client_key_enc" "$s/client_key_enc.pub" "$s/agent_key" "$s/agent_key.pub" "$s/agent.sock"
  mkdir -p "$j"
  chmod 755 "$j"
  pass="aicockpit-test-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  ssh-keygen -q -t ed25519 -N "$pass" -C "aicockpit-test-client-encrypted" -f "$s/client_key_enc"
  ssh-keygen -q -t ed25519 -N '' -C "aicockpit-test-agent" -f "$s/agent_key"
  ssh-keygen -q -t ed25519 -N '' -C "aicockpit-test-jump-host" -f "$j/host_ed25519_key"
  cat "$s/client_key.pub" "$s/client_key_enc.pub" "$s/agent_key.pub" >"$s/authorized/$user"
  chmod 644 "$s/authorized/$user"

  jport=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  pw="pw-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s:%s\n' "$user" "$pw" | chpasswd
  sed -e "s/^Port .*/Port $jport/" -e "s|^HostKey .*|HostKey $j/host_ed25519_key|" -e "s|^PidFile .*|PidFile $j/sshd.pid|" \
    -e "s/^PasswordAuthentication no/PasswordAuthentication yes/" "$s/sshd_config" >"$j/sshd_config"
  printf 'LogLevel DEBUG1\nAllowTcpForwarding yes\n' >>"$j/sshd_config"
  /usr/sbin/sshd -t -f "$j/sshd_config"
  /usr/sbin/sshd -f "$j/sshd_config" -E "$j/sshd.log"
  for ((i = 0; i < 50; i++)); do
    if [ -s "$j/sshd.pid" ] && port_in_use "$jport"; then break; fi
    sleep 0.1
  done
  port_in_use "$jport" || aic_die "jump sshd did not start; see $j/sshd.log"

  # setsid: the agent must not die with the caller's session
  out=$(setsid ssh-agent -a "$s/agent.sock" -s </dev/null)
  printf '%s\n' "$out" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' >"$s/agent.pid"
  SSH_AUTH_SOCK="$s/agent.sock" ssh-add -q "$s/agent_key" 2>/dev/null
  # the agent key must not be usable as a file: only the agent offers it
  rm -f "$s/agent_key"

  {
    printf 'AICOCKPIT_TEST_SSH_JUMP_PORT=%q\n' "$jport"
    printf 'AICOCKPIT_TEST_SSH_JUMP_HOST_FINGERPRINT=%q\n' "$(ssh-keygen -lf "$j/host_ed25519_key.pub" | awk '{print $2}')"
    printf 'AICOCKPIT_TEST_SSH_JUMP_HOST_KEY_FILE=%q\n' "$j/host_ed25519_key.pub"
    printf 'AICOCKPIT_TEST_SSH_JUMP_LOG=%q\n' "$j/sshd.log"
    printf 'AICOCKPIT_TEST_SSH_LOG=%q\n' "$s/sshd.log"
    printf 'AICOCKPIT_TEST_SSH_KEY_ENCRYPTED=%q\n' "$s/client_key_enc"
    printf 'AICOCKPIT_TEST_SSH_KEY_PASSPHRASE=%q\n' "$pass"
    printf 'AICOCKPIT_TEST_SSH_AUTH_SOCK=%q\n' "$s/agent.sock"
    printf 'AICOCKPIT_TEST_SSH_PASSWORD=%q\n' "$pw"
  } >"$s/extras.env"
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    chown "$SUDO_USER:" "$s/client_key_enc" "$s/client_key_enc.pub" "$s/agent.sock"
  fi
  append_extras_env
  aic_log "extras ready: jump sshd on 127.0.0.1:$jport, ssh-agent at $s/agent.sock, encrypted key $s/client_key_enc"
}

append_extras_env() {
  grep -v -e '^AICOCKPIT_TEST_SSH_JUMP_' -e '^AICOCKPIT_TEST_SSH_KEY_ENCRYPTED=' -e '^AICOCKPIT_TEST_SSH_KEY_PASSPHRASE=' \
    -e '^AICOCKPIT_TEST_SSH_AUTH_SOCK=' -e '^AICOCKPIT_TEST_SSH_LOG=' -e '^AICOCKPIT_TEST_SSH_PASSWORD=' "$ENV_FILE" >"$ENV_FILE.tmp" || true
  cat "$D/ssh/extras.env" >>"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  chmod 644 "$ENV_FILE"
}

up() {
  local t0 t driver port user fp
  t0=$(aic_now)
  if status; then
    ensure_extras
    aic_log "up: already running at $D (reused)"
    echo "$ENV_FILE"
    return 0
  fi
  if [ -d "$D" ]; then
    aic_log "up: stale state at $D: cleaning it first"
    down
  fi
  command -v dockerd >/dev/null || aic_die "dockerd missing: run scripts/install-deps.sh"
  command -v /usr/sbin/sshd >/dev/null || aic_die "sshd missing: run scripts/install-deps.sh"
  [ -x /bin/busybox ] || aic_die "busybox-static missing: run scripts/install-deps.sh"
  mkdir -p "$D"
  chmod 755 "$D" # the ssh user must reach docker.sock inside it
  ip link show docker0 >/dev/null 2>&1 || echo 1 >"$D/created-bridge"

  t=$(aic_now)
  ensure_cgroups
  driver=overlay2
  if ! start_dockerd overlay2; then
    aic_log "overlay2 failed: falling back to vfs (slower, more disk)"
    driver=vfs
    start_dockerd vfs || aic_die "dockerd did not start; see $D/dockerd.log"
  fi
  aic_log "dockerd ready ($driver) in $(aic_since "$t") s"

  t=$(aic_now)
  import_busybox
  aic_log "image $IMAGE ready in $(aic_since "$t") s"

  t=$(aic_now)
  port="${AICOCKPIT_TEST_SSH_PORT:-2222}"
  if port_in_use "$port"; then
    local want="$port"
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    aic_log "port $want is taken by another process: sshd uses $port instead (see the env file)"
  fi
  # per-folder user name, so two folders never share (or delete) one user
  user="aict_$(printf '%s' "$D" | sha256sum | cut -c1-8)"
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/sh -G docker "$user"
  echo "$user" >"$D/user"
  start_sshd "$port" "$user"
  fp=$(ssh-keygen -lf "$D/ssh/host_ed25519_key.pub" | awk '{print $2}')
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$D/ssh/host_ed25519_key.pub")" >"$D/ssh/known_hosts"
  aic_log "sshd ready on 127.0.0.1:$port in $(aic_since "$t") s"

  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    chown "$SUDO_USER:" "$D/ssh/client_key" "$D/ssh/client_key.pub"
  fi

  {
    echo "# written by scripts/test-infra.sh up at $(date -u +%FT%TZ); KEY=value, shell-quoted"
    printf 'AICOCKPIT_INFRA_DIR=%q\n' "$D"
    printf 'DOCKER_HOST=%q\n' "unix://$SOCK"
    printf 'AICOCKPIT_TEST_DOCKER_HOST=%q\n' "unix://$SOCK"
    printf 'AICOCKPIT_TEST_DOCKER_STORAGE_DRIVER=%q\n' "$driver"
    printf 'AICOCKPIT_TEST_IMAGE=%q\n' "$IMAGE"
    printf 'AICOCKPIT_TEST_SSH_HOST=%q\n' 127.0.0.1
    printf 'AICOCKPIT_TEST_SSH_PORT=%q\n' "$port"
    printf 'AICOCKPIT_TEST_SSH_USER=%q\n' "$user"
    printf 'AICOCKPIT_TEST_SSH_KEY=%q\n' "$D/ssh/client_key"
    # the host key's SHA256 fingerprint (as `ssh-keygen -lf` prints it), under both names
    printf 'AICOCKPIT_TEST_SSH_HOST_PUBKEY=%q\n' "$fp"
    printf 'AICOCKPIT_TEST_SSH_HOST_FINGERPRINT=%q\n' "$fp"
    printf 'AICOCKPIT_TEST_SSH_HOST_KEY_FILE=%q\n' "$D/ssh/host_ed25519_key.pub"
    printf 'AICOCKPIT_TEST_SSH_KNOWN_HOSTS=%q\n' "$D/ssh/known_hosts"
    printf 'AICOCKPIT_TEST_SSH_REMOTE_DOCKER_HOST=%q\n' "unix://$SOCK"
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  chmod 644 "$ENV_FILE"
  ensure_extras
  aic_log "up: ready in $(aic_since "$t0") s; env file: $ENV_FILE"
  echo "$ENV_FILE"
}

cmd="${1:-}"
case "$cmd" in
  up) need_root "$@"; up ;;
  down) need_root "$@"; down ;;
  env) [ -s "$ENV_FILE" ] || aic_die "no env file at $ENV_FILE: run scripts/test-infra.sh up"; cat "$ENV_FILE" ;;
  status) if status; then echo "up: $ENV_FILE"; else echo "down"; exit 1; fi ;;
  *) echo "usage: $0 up|down|env|status" >&2; exit 2 ;;
esac
