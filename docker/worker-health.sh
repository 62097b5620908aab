#!/bin/sh
# Health check of the `worker` service (a worker serves no HTTP): healthy while
# `scriptsensei worker` keeps touching its heartbeat file (SCRIPTSENSEI_WORKER_HEARTBEAT_FILE,
# every 10 seconds). Usage: scriptsensei-worker-health [MAX_AGE_SECONDS, default 60].
# A shell script, not a `scriptsensei` command: starting Python for every check would cost
# more CPU than an idle worker uses.
set -eu

file=${SCRIPTSENSEI_WORKER_HEARTBEAT_FILE:-}
max_age=${1:-60}

if [ -z "$file" ]; then
  echo "SCRIPTSENSEI_WORKER_HEARTBEAT_FILE is not set: the worker keeps no heartbeat" >&2
  exit 1
fi
if [ ! -f "$file" ]; then
  echo "no heartbeat at $file: the worker has not started, or has stopped" >&2
  exit 1
fi
age=$(($(date +%s) - $(stat -c %Y "$file")))
if [ "$age" -gt "$max_age" ]; then
  echo "the worker's heartbeat is ${age}s old (limit ${max_age}s): it is stuck" >&2
  exit 1
fi
echo "worker alive: heartbeat ${age}s ago"
