#!/bin/sh
# Container start-up: wait for the database, apply migrations (never a schema push), then
# run the given command (`serve` by default, or `worker`, or any scriptsensei command).
set -eu

: "${SCRIPTSENSEI_DB_WAIT_SECONDS:=90}"
scriptsensei=${SCRIPTSENSEI_BIN:-scriptsensei}

echo "Waiting for the database (up to ${SCRIPTSENSEI_DB_WAIT_SECONDS}s)"
"$scriptsensei" db wait --timeout "$SCRIPTSENSEI_DB_WAIT_SECONDS"
"$scriptsensei" db upgrade

[ $# -eq 0 ] && set -- serve
exec "$scriptsensei" "$@"
