#!/usr/bin/env bash
# Build the production image and run it for real, offline, on this machine.
#
#   sudo bash scripts/image-smoke.sh          # from any directory, any clone
#
# What it does, in order (each step is skipped when already satisfied, so a
# rerun is fast and the script is safe to run again after a failure):
#   1. Finds a Docker engine (DOCKER_HOST or the default socket). If none is
#      reachable, installs Debian's docker.io when dockerd is missing and starts
#      a private dockerd (own socket, data root kept for layer caching,
#      --iptables=false --bridge=none); that dockerd is stopped on exit.
#   2. Picks the base image: $PYTHON_BASE if set, else the official
#      python:3.11-slim-bookworm if it is present locally, else
#      local/python-base:3.11, which it makes without any registry:
#      debootstrap (minbase + python3, python3-venv, ca-certificates) ->
#      rootfs tarball cached in $CACHE_DIR -> `docker import`.
#   3. Builds the Dockerfile with the legacy builder (no BuildKit frontend to
#      fetch): DOCKER_BUILDKIT=0 docker build --build-arg PYTHON_BASE=...
#   4. Starts scripts/fake_wikimedia.py on a free loopback port and runs the
#      image the way production does: read-only root, tmpfs /tmp, uid 10001,
#      all capabilities dropped, no-new-privileges, host network, on a free port.
#   5. Checks that the image holds no development tool (pytest, mypy, ruff, ...),
#      then /health, /ready, /metrics, a real article request answered from
#      the fake upstream (views == 631058), the image's own HEALTHCHECK
#      reaching "healthy", and the image's default user (10001).
#   6. `docker stop` while a slow request is in flight, and checks that the
#      request is still answered (drained) and that the container exited on
#      SIGTERM within the stop timeout (not SIGKILLed: exit code 137 or a stop
#      that took the whole timeout fails the run). Removes the container and
#      stops what it started.
# Exits non-zero on the first failure, after printing the container's logs.
#
# Environment knobs: PYTHON_BASE, IMAGE (default pageviews:smoke),
# SKIP_BUILD=1 (test $IMAGE as already built, e.g. by CI's buildx step),
# STOP_TIMEOUT (default 20 s), CACHE_DIR (default /var/cache/pageviews-ci),
# STATE_DIR (default /var/lib/pageviews-ci: private dockerd's data root),
# DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -Eeuo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
IMAGE=${IMAGE:-pageviews:smoke}
LOCAL_BASE=local/python-base:3.11
OFFICIAL_BASE=python:3.11-slim-bookworm
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
CACHE_DIR=${CACHE_DIR:-/var/cache/pageviews-ci}
STATE_DIR=${STATE_DIR:-/var/lib/pageviews-ci}
RUN_DIR=/run/pageviews-ci
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HEALTH_WAIT=${HEALTH_WAIT:-60}

T0=$(date +%s)
log() { printf '[image-smoke %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { log "FAIL: $*"; exit 1; }

WORK=$(mktemp -d /tmp/pageviews-smoke.XXXXXX)
CONTAINER=pageviews-smoke-$$
CONTAINER_STARTED=0
UPSTREAM_PID=
DOCKERD_PID=
FAILED=1

cleanup() {
  local rc=$?
  set +e
  if [[ $CONTAINER_STARTED == 1 ]]; then
    if [[ $FAILED == 1 ]]; then
      log "container logs (last 60 lines):"
      docker logs --tail 60 "$CONTAINER" 2>&1 | sed 's/^/    | /'
    fi
    docker rm -f "$CONTAINER" >/dev/null 2>&1
    log "removed container $CONTAINER"
  fi
  if [[ -n $UPSTREAM_PID ]]; then
    kill "$UPSTREAM_PID" 2>/dev/null
    wait "$UPSTREAM_PID" 2>/dev/null
    if [[ $FAILED == 1 && -s $WORK/upstream.log ]]; then
      log "fake upstream log:"
      sed 's/^/    | /' "$WORK/upstream.log"
    fi
  fi
  if [[ -n $DOCKERD_PID ]]; then
    log "stopping the dockerd this script started (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then kill -9 "$DOCKERD_PID" 2>/dev/null; fi
    wait "$DOCKERD_PID" 2>/dev/null
    rm -f "$RUN_DIR/dockerd.pid"
  fi
  rm -rf "$WORK"
  if [[ $rc == 0 && $FAILED == 0 ]]; then
    log "OK: all checks passed"
  else
    log "FAILED (exit $rc)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_root() {
  [[ $(id -u) == 0 ]] || die "$1 needs root (run as root, or provide a running Docker engine and a base image)"
}

apt_install() {
  need_root "installing $*"
  log "apt-get install $*"
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
    apt-get update -qq
  fi
  # Packages must not start services here (no init system; we run our own dockerd).
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$WORK/apt.log" 2>&1 \
    || { tail -20 "$WORK/apt.log"; [[ $own_policy == 0 ]] || rm -f /usr/sbin/policy-rc.d; die "apt-get install $* failed"; }
  [[ $own_policy == 0 ]] || rm -f /usr/sbin/policy-rc.d
}

docker_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# ---------------------------------------------------------------- 1. engine
ensure_engine() {
  if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
    if docker_ok; then
      :
    else
      apt_install docker.io
    fi
  fi
  if docker_ok; then
    log "using the running Docker engine ${DOCKER_HOST:-(default socket)}: $(docker version --format '{{.Server.Version}}')"
    return
  fi
  need_root "starting dockerd"
  mkdir -p "$RUN_DIR" "$STATE_DIR/docker"
  export DOCKER_HOST="unix://$RUN_DIR/docker.sock"
  # A dockerd left behind by an interrupted run of this script: adopt it (and stop it at the end).
  if [[ -s $RUN_DIR/dockerd.pid ]] && kill -0 "$(cat "$RUN_DIR/dockerd.pid")" 2>/dev/null && docker_ok; then
    DOCKERD_PID=$(cat "$RUN_DIR/dockerd.pid")
    log "adopted dockerd pid $DOCKERD_PID left by an earlier run"
    return
  fi
  rm -f "$RUN_DIR/docker.sock" "$RUN_DIR/dockerd.pid"
  log "starting a private dockerd on $DOCKER_HOST (data root $STATE_DIR/docker)"
  dockerd --host "$DOCKER_HOST" \
    --data-root "$STATE_DIR/docker" --exec-root "$RUN_DIR/exec" --pidfile "$RUN_DIR/dockerd.pid" \
    --iptables=false --ip-masq=false --bridge=none \
    >"$RUN_DIR/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    docker_ok && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -30 "$RUN_DIR/dockerd.log"; DOCKERD_PID=; die "dockerd exited"; }
    sleep 0.5
  done
  docker_ok || { tail -30 "$RUN_DIR/dockerd.log"; die "dockerd did not come up within 30 s"; }
  log "dockerd $(docker version --format '{{.Server.Version}}') is up (storage driver: $(docker info --format '{{.Driver}}'))"
}

# ------------------------------------------------------------ 2. base image
image_present() { docker image inspect "$1" >/dev/null 2>&1; }

make_local_base() {
  # The host's extra CAs (e.g. a TLS-inspecting egress proxy) go into the base,
  # so pip/uv in the builder stage can reach PyPI. Their hash is in the cache
  # key, so a changed trust store rebuilds the rootfs.
  local extra_cas=() ca_hash tarball rootfs
  shopt -s nullglob
  extra_cas=(/usr/local/share/ca-certificates/*.crt)
  shopt -u nullglob
  ca_hash=$( (cat "${extra_cas[@]}" /dev/null) | sha256sum | cut -c1-12)
  tarball=$CACHE_DIR/python-base-bookworm-$ca_hash.tar
  if [[ -s $tarball ]]; then
    log "reusing cached base rootfs $tarball"
  else
    need_root "debootstrap"
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    mkdir -p "$CACHE_DIR"
    rootfs=$(mktemp -d /var/tmp/pageviews-rootfs.XXXXXX)
    log "debootstrap bookworm (minbase + python3, python3-venv, ca-certificates) into $rootfs (about a minute)"
    if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1; then
      tail -30 "$WORK/debootstrap.log"
      rm -rf "$rootfs"
      die "debootstrap failed"
    fi
    if ((${#extra_cas[@]})); then
      cp "${extra_cas[@]}" "$rootfs/usr/local/share/ca-certificates/"
      # The rootfs's own PATH, not the caller's (which may name directories the rootfs lacks).
      chroot "$rootfs" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin update-ca-certificates \
        >"$WORK/update-ca.log" 2>&1 \
        || { cat "$WORK/update-ca.log"; die "update-ca-certificates failed in the rootfs"; }
      log "added ${#extra_cas[@]} local CA certificate(s) to the base's trust store"
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
    tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    log "cached base rootfs: $tarball ($(du -h "$tarball" | cut -f1))"
  fi
  log "docker import -> $LOCAL_BASE"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    "$tarball" "$LOCAL_BASE" >/dev/null
}

choose_base() {
  if [[ -n ${PYTHON_BASE:-} ]]; then
    image_present "$PYTHON_BASE" || log "note: $PYTHON_BASE is not present locally; the build will try to pull it"
  elif image_present "$OFFICIAL_BASE"; then
    PYTHON_BASE=$OFFICIAL_BASE
  else
    image_present "$LOCAL_BASE" || make_local_base
    PYTHON_BASE=$LOCAL_BASE
  fi
  log "base image: $PYTHON_BASE ($(docker run --rm --network=none "$PYTHON_BASE" python3 --version 2>&1))"
}

# ------------------------------------------------------------------ 3. build
build_image() {
  local version revision t
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO_ROOT/pyproject.toml" | head -1)
  revision=$(git -C "$REPO_ROOT" rev-parse --verify -q HEAD 2>/dev/null || echo unknown)
  log "building $IMAGE (version $version, revision ${revision:0:12}) with the legacy builder"
  t=$(date +%s)
  if ! DOCKER_BUILDKIT=0 docker build --network=host \
    --build-arg "PYTHON_BASE=$PYTHON_BASE" \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
    -t "$IMAGE" "$REPO_ROOT" >"$WORK/build.log" 2>&1; then
    tail -40 "$WORK/build.log"
    die "docker build failed"
  fi
  log "built $IMAGE in $(($(date +%s) - t)) s; size $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
  local user
  user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE")
  [[ $user == 10001* ]] || die "image's default user is '$user', expected 10001"
  log "image runs as user $user by default"
}

# -------------------------------------------------------------------- 4. run
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# http_get URL -> prints "STATUS BODY" (status 000 when unreachable)
http_get() {
  python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        print(r.status, r.read().decode(errors="replace"))
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode(errors="replace"))
except Exception as e:
    print("000", repr(e))
PY
}

container_running() { [[ $(docker inspect -f '{{.State.Running}}' "$CONTAINER" 2>/dev/null) == true ]]; }

start_upstream() {
  python3 "$REPO_ROOT/scripts/fake_wikimedia.py" --port 0 --port-file "$WORK/upstream.port" \
    2>"$WORK/upstream.log" &
  UPSTREAM_PID=$!
  for _ in $(seq 1 50); do [[ -s $WORK/upstream.port ]] && break; sleep 0.1; done
  [[ -s $WORK/upstream.port ]] || die "fake upstream did not start"
  UPSTREAM_PORT=$(cat "$WORK/upstream.port")
  log "fake Wikimedia upstream on http://127.0.0.1:$UPSTREAM_PORT (pid $UPSTREAM_PID)"
}

run_container() {
  APP_PORT=$(free_port)
  log "docker run $IMAGE: --read-only --tmpfs /tmp --user 10001 --cap-drop ALL, port $APP_PORT"
  docker run -d --name "$CONTAINER" \
    --network=host --read-only --tmpfs /tmp:rw,nosuid,nodev,size=16m \
    --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges \
    --stop-timeout "$STOP_TIMEOUT" --health-interval 2s --health-start-period 30s \
    -e "PAGEVIEWS_WIKIMEDIA_URL=http://127.0.0.1:$UPSTREAM_PORT" \
    -e "PAGEVIEWS_USER_AGENT=pageviews-image-smoke/1.0 (ci@example.invalid)" \
    -e "HEALTHCHECK_URL=http://127.0.0.1:$APP_PORT/health" \
    "$IMAGE" serve --host 127.0.0.1 --port "$APP_PORT" >/dev/null
  CONTAINER_STARTED=1
  BASE_URL=http://127.0.0.1:$APP_PORT
}

# ----------------------------------------------------------------- 5. checks
wait_health() {
  local t out
  t=$(date +%s)
  while true; do
    container_running || die "container exited: $(docker inspect -f '{{.State.Status}} exit={{.State.ExitCode}}' "$CONTAINER")"
    out=$(http_get "$BASE_URL/health")
    [[ ${out%% *} == 200 ]] && break
    (($(date +%s) - t < HEALTH_WAIT)) || die "/health not 200 within ${HEALTH_WAIT} s (last: ${out:0:200})"
    sleep 0.3
  done
  log "GET /health -> 200 after $(($(date +%s) - t)) s: ${out#* }"
}

check_endpoints() {
  local out
  out=$(http_get "$BASE_URL/ready")
  [[ ${out%% *} == 200 ]] || die "GET /ready -> ${out:0:300}"
  log "GET /ready -> 200: ${out#* }"

  out=$(http_get "$BASE_URL/metrics")
  local families
  families=$(grep -c '^# TYPE ' <<<"${out#* }" || true)
  [[ ${out%% *} == 200 && $families -gt 0 ]] || die "GET /metrics is not a Prometheus exposition: ${out:0:300}"
  log "GET /metrics -> 200 ($families metric families)"

  out=$(http_get "$BASE_URL/monthly_view_count/Albert_Einstein/2023/10")
  log "GET /monthly_view_count/Albert_Einstein/2023/10 -> ${out:0:400}"
  [[ ${out%% *} == 200 ]] || die "article request did not return 200"
  python3 - "${out#* }" <<'PY' || die "the answer does not carry views == 631058 from the upstream"
import json, sys
body = json.loads(sys.argv[1])
def views(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "views" and value == 631058 and type(value) is int:
                return True
            if views(value):
                return True
    elif isinstance(node, list):
        return any(views(v) for v in node)
    return False
sys.exit(0 if views(body) else 1)
PY
  log "answer is JSON with \"views\": 631058 (an integer), as served by the fake upstream"

  out=$(http_get "$BASE_URL/monthly_view_count/Albert_Einstein/2023/09")
  log "GET /monthly_view_count/Albert_Einstein/2023/09 (upstream 404) -> ${out:0:300}"
  [[ ${out%% *} =~ ^4[0-9][0-9]$ ]] || die "a month the upstream has no data for should be a 4xx"

  grep -q 'pageviews/per-article' "$WORK/upstream.log" || die "the fake upstream saw no request"
  log "fake upstream saw: $(grep -m1 'per-article' "$WORK/upstream.log" | cut -c1-220)"
}

wait_docker_healthy() {
  local t status
  t=$(date +%s)
  while true; do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$CONTAINER")
    [[ $status == healthy ]] && break
    [[ $status == unhealthy ]] && die "image HEALTHCHECK reports unhealthy: $(docker inspect -f '{{json .State.Health.Log}}' "$CONTAINER" | tail -c 400)"
    (($(date +%s) - t < 40)) || die "image HEALTHCHECK not healthy within 40 s (status $status)"
    sleep 1
  done
  log "image HEALTHCHECK (python urllib -> /health): healthy"
}

report_memory() {
  log "container memory after the checks: $(docker stats --no-stream --format '{{.MemUsage}}' "$CONTAINER")"
}

# ------------------------------------------------------------------- 6. stop
stop_container() {
  local t0 t1 elapsed code inflight
  # A request in flight when SIGTERM arrives (the fake upstream holds Slow_*
  # articles for 3 s) must still be answered: granian drains before exiting.
  http_get "$BASE_URL/monthly_view_count/Slow_Article/2023/10" >"$WORK/inflight.out" &
  local inflight_pid=$! i
  for i in $(seq 1 100); do
    grep -q 'holding Slow_Article' "$WORK/upstream.log" && break
    sleep 0.1
  done
  ((i < 100)) || die "the slow request never reached the fake upstream"
  t0=$(date +%s.%N)
  docker stop -t "$STOP_TIMEOUT" "$CONTAINER" >/dev/null
  t1=$(date +%s.%N)
  wait "$inflight_pid"
  inflight=$(cat "$WORK/inflight.out")
  elapsed=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$CONTAINER")
  log "docker stop (SIGTERM, timeout ${STOP_TIMEOUT} s) took ${elapsed} s, exit code $code"
  log "last log lines:"
  docker logs --tail 5 "$CONTAINER" 2>&1 | sed 's/^/    | /'
  [[ $code != 137 ]] || die "the container was SIGKILLed: SIGTERM was not handled"
  python3 -c "import sys; sys.exit(0 if $elapsed < $STOP_TIMEOUT - 1 else 1)" \
    || die "stopping took the whole timeout: SIGTERM was not handled"
  log "request in flight during the stop -> ${inflight:0:160}"
  [[ ${inflight%% *} == 200 ]] || die "the in-flight request was not answered (not drained on SIGTERM)"
}

check_runtime_only() {
  # The image installs the runtime dependencies only (uv sync --no-dev): no test or lint tool may be in it.
  local found
  found=$(docker run --rm --network=none --entrypoint python "$IMAGE" -c \
    'import importlib.util as u; print(" ".join(m for m in ("pytest", "mypy", "ruff", "schemathesis", "hypothesis", "uvicorn") if u.find_spec(m)))') \
    || die "could not list the image's Python packages"
  [[ -z $found ]] || die "development tools in the image: $found"
  log "image has the runtime dependencies only (no pytest, mypy, ruff, schemathesis, hypothesis, uvicorn)"
}

use_prebuilt_image() {
  image_present "$IMAGE" || die "SKIP_BUILD=1 but image $IMAGE is not in the engine"
  log "SKIP_BUILD=1: testing the already built $IMAGE ($(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c1-19))"
  local user
  user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE")
  [[ $user == 10001* ]] || die "image's default user is '$user', expected 10001"
  log "image runs as user $user by default"
}

main() {
  log "repo: $REPO_ROOT"
  ensure_engine
  if [[ ${SKIP_BUILD:-0} == 1 ]]; then
    use_prebuilt_image
  else
    choose_base
    build_image
  fi
  check_runtime_only
  start_upstream
  run_container
  wait_health
  check_endpoints
  wait_docker_healthy
  report_memory
  stop_container
  FAILED=0
  log "total $(($(date +%s) - T0)) s"
}

main "$@"
