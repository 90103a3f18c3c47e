#!/usr/bin/env bash
# make docker: make sure a Docker engine answers that can run privileged containers (kind nodes).
#
#   1. An engine that answers is used as it is, unless this script did not start it and a
#      privileged probe fails on it: then it stops and names the wrapper the user needs.
#   2. Otherwise it installs Debian's docker.io when dockerd is missing (root and apt-get needed)
#      and starts dockerd with its own data root, exec root, pid file and log.
#   3. It adds the runc wrapper (cmd/meshlab-runc) as dockerd's default runtime only when a
#      privileged probe container fails with "unable to apply caps" (a host whose capability
#      bounding set lacks CAP_SYS_RESOURCE), restarting only the dockerd it started.
#
# Idempotent: a second run finds the engine and the probe passing and changes nothing.
# Environment: GO (the go command), MESHLAB_DOCKER_ROOT (default /var/lib/meshlab-docker).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
ROOT=${MESHLAB_DOCKER_ROOT:-/var/lib/meshlab-docker}
EXEC_ROOT=/run/meshlab-docker
PIDFILE=$EXEC_ROOT/dockerd.pid
LOG=/var/log/meshlab-dockerd.log
SOCK=/var/run/docker.sock
WRAPPER=/usr/local/libexec/meshlab/meshlab-runc
PROBE_IMAGE=meshlab/probe:1

say() { echo "make docker: $*"; }
die() { echo "make docker: $*" >&2; exit 1; }

answers() { timeout 10 docker info >/dev/null 2>&1; }

ours() { # the engine that answers is the dockerd this script started
  [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

build_wrapper() { # the static wrapper doubles as the probe image's only file
  mkdir -p bin
  CGO_ENABLED=0 "$GO" build -trimpath -o bin/meshlab-runc ./cmd/meshlab-runc
}

probe_image() {
  docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 && return
  local dir; dir=$(mktemp -d)
  cp bin/meshlab-runc "$dir/probe"
  tar -C "$dir" -c probe | docker import -c 'ENTRYPOINT ["/probe", "meshlab-probe"]' - "$PROBE_IMAGE" >/dev/null
  rm -rf "$dir"
}

# probe runs a privileged container; prints runc's error on failure.
probe() {
  probe_image
  timeout 60 docker run --rm --pull never --privileged --name "meshlab-probe-$$" "$PROBE_IMAGE" 2>&1 >/dev/null
}

stop_ours() {
  local pid; pid=$(cat "$PIDFILE")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  die "dockerd (pid $pid) did not stop within 30 s"
}

start_dockerd() { # $1: "wrapped" to make the wrapper the default runtime
  local args=(--host "unix://$SOCK" --data-root "$ROOT" --exec-root "$EXEC_ROOT" --pidfile "$PIDFILE")
  if [ "${1:-}" = wrapped ]; then
    install -D -m 0755 bin/meshlab-runc "$WRAPPER"
    args+=(--add-runtime "meshlab=$WRAPPER" --default-runtime meshlab)
  fi
  mkdir -p "$ROOT" "$EXEC_ROOT"
  say "starting dockerd ${args[*]} (log: $LOG)"
  nohup setsid dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do answers && return 0; sleep 0.5; done
  tail -n 20 "$LOG" >&2
  die "dockerd did not answer within 30 s; its log is $LOG"
}

build_wrapper
if answers; then
  if ours; then say "found the dockerd this script started (pid $(cat "$PIDFILE"))"
  else say "found a running Docker engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"; fi
else
  [ "$(id -u)" -eq 0 ] || die "no Docker engine answers and starting one needs root; start Docker or rerun as root."
  if ! command -v dockerd >/dev/null; then
    command -v apt-get >/dev/null || die "no Docker engine answers, dockerd is not installed and there is no apt-get to install it; install Docker."
    say "installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
  fi
  [ -S "$SOCK" ] && ! ours && rm -f "$SOCK" # a stale socket nobody answers on
  start_dockerd
fi

if out=$(probe); then
  say "a privileged container runs: ready"
  exit 0
fi
case "$out" in
  *"apply caps"*) ;;
  *) echo "$out" >&2; die "a privileged probe container failed (above) for a reason the capability wrapper does not fix." ;;
esac
ours || die "the running engine cannot start privileged containers (unable to apply caps: this host lacks CAP_SYS_RESOURCE); make bin/meshlab-runc its default runtime (dockerd --add-runtime meshlab=$PWD/bin/meshlab-runc --default-runtime meshlab), since this script only reconfigures a dockerd it started."
say "privileged probe failed with 'unable to apply caps': restarting dockerd with the runc wrapper $WRAPPER"
stop_ours
start_dockerd wrapped
out=$(probe) || { echo "$out" >&2; die "a privileged container still fails with the runc wrapper (above)."; }
say "a privileged container runs through the runc wrapper: ready"
