#!/usr/bin/env bash
# A Docker engine for the containers provider's tests, on a machine that has none running.
#   docker-engine.sh install   apt-get install docker.io (and debootstrap, for the built image set's base)
#   docker-engine.sh start     start dockerd unless an engine already answers; prints "started" or "running"
#   docker-engine.sh stop      stop the dockerd this script started (by its pidfile), and nothing else
#   docker-engine.sh images    build the `built` image set (cached: a rebuild only when an input changed)
# The engine keeps its data under the cache (OUTBOX_CHAOS_CACHE or ~/.cache/outbox-chaos), so built images
# survive between runs on one machine.
set -euo pipefail

cache="${OUTBOX_CHAOS_CACHE:-$HOME/.cache/outbox-chaos}"
dir="$cache/docker"
pidfile="$dir/dockerd.pid"
log="$dir/dockerd.log"
here="$(cd "$(dirname "$0")/../.." && pwd)"

answers() { timeout 5 docker info >/dev/null 2>&1; }

case "${1:-}" in
  install)
    need=()
    command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
    if [ ${#need[@]} -gt 0 ]; then
      apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
    fi
    ;;
  start)
    if answers; then
      echo running
      exit 0
    fi
    mkdir -p "$dir/data"
    # A pidfile whose process is gone (a killed run) would make dockerd refuse to start.
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
    nohup dockerd --data-root "$dir/data" --pidfile "$pidfile" >>"$log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do
      if answers; then
        echo started
        exit 0
      fi
      sleep 0.5
    done
    echo "dockerd did not answer within 30 s; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 3
    ;;
  stop)
    [ -f "$pidfile" ] || exit 0
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
    fi
    rm -f "$pidfile"
    ;;
  images)
    cd "$here"
    npx tsx test/tools/build-images.ts
    ;;
  *)
    echo "usage: $0 install|start|stop|images" >&2
    exit 2
    ;;
esac
