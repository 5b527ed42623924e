#!/bin/sh
# The sample platform's job scheduler: a second service beside the billing service, as real
# platforms have. While it runs it wakes every second and records that it ran its due jobs
# (the stand-in's jobs write only this heartbeat). It keeps its pid and heartbeat in the run's
# work folder and exits by itself once that folder is gone, so a crashed rehearsal cannot
# leave it behind.
#   job-scheduler.sh start | state | stop      (REHEARSAL_WORK_DIR names the folder)
set -eu
dir=${REHEARSAL_WORK_DIR:?REHEARSAL_WORK_DIR must name the folder the scheduler keeps its pid in}
pidfile="$dir/job-scheduler.pid"
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case "${1:-}" in
  start)
    running && exit 0
    # `wait` returns on TERM at once (a plain `sleep` would hold the trap for up to a second).
    sh -c 'nap=; trap "kill \$nap 2>/dev/null; exit 0" TERM
      while [ -d "$1" ]; do date -u +%Y-%m-%dT%H:%M:%SZ >> "$1/job-scheduler.heartbeat"; sleep 1 & nap=$!; wait $nap; done' \
      job-scheduler "$dir" </dev/null >/dev/null 2>&1 &
    echo $! > "$pidfile"
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
    echo "usage: job-scheduler.sh start|state|stop" >&2
    exit 2
    ;;
esac
