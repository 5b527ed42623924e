#!/bin/sh
# The sample platform's job scheduler: a second service beside the billing service, as real
# platforms have. While it runs it wakes every second and records that it ran its due jobs
# (the stand-in's jobs write only this heartbeat). It keeps its pid and heartbeat in the run's
# work folder and exits by itself once that folder is gone, so a crashed rehearsal cannot
# leave it behind.
#   job-scheduler.sh run | state | stop      (REHEARSAL_WORK_DIR names the folder)
# `run` stays in the foreground, as the adapter's `start` must: the rehearsal supervises it.
set -eu
dir=${REHEARSAL_WORK_DIR:?REHEARSAL_WORK_DIR must name the folder the scheduler keeps its pid in}
pidfile="$dir/job-scheduler.pid"
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case "${1:-}" in
  run)
    running && exit 0
    echo $$ > "$pidfile"
    # `wait` returns on TERM at once (a plain `sleep` would hold the trap for up to a second).
    nap=
    trap 'kill $nap 2>/dev/null; rm -f "$pidfile"; exit 0' TERM INT
    while [ -d "$dir" ]; do date -u +%Y-%m-%dT%H:%M:%SZ >> "$dir/job-scheduler.heartbeat"; sleep 1 & nap=$!; wait $nap; done
    ;;
  state)
    running
    ;;
  stop)
    if running; then
      kill "$(cat "$pidfile")"
      tries=0
      while running && [ "$tries" -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
      running && kill -9 "$(cat "$pidfile")"
    fi
    rm -f "$pidfile"
    ;;
  *)
    echo "usage: job-scheduler.sh run|state|stop" >&2
    exit 2
    ;;
esac
