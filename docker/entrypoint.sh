#!/bin/sh
# Container start-up: wait for the database, apply migrations (never a schema push), then
# run the given command (`serve` by default, or `worker`, or any scriptsensei command).
#
# The image starts this script as root for one reason: Docker creates a bind mount such as
# `./backups:/backups` owned by root, where the app's user could not write. As root it only
# creates the data and backup directories and hands them to the app's user
# (SCRIPTSENSEI_USER, set to `scriptsensei` by the image), then runs itself again as that
# user: everything else, the app above all, runs unprivileged. Without SCRIPTSENSEI_USER
# (a host install) it runs as whoever starts it; in the image, `scriptsensei` itself drops
# root even then.
set -eu

app_user=${SCRIPTSENSEI_USER:-}

give_to_app_user() {
  mkdir -p "$1"
  # Walk the tree only when the directory is not the user's yet (a new bind mount), so
  # a large file store is not re-chowned at every start.
  if [ "$(stat -c %u "$1")" != "$(id -u "$app_user")" ]; then
    echo "Giving $1 to $app_user"
    chown -R "$(id -u "$app_user"):$(id -g "$app_user")" "$1"
  fi
}

if [ "$(id -u)" = 0 ] && [ -n "$app_user" ]; then
  if [ "$(id -u "$app_user")" = 0 ]; then
    echo "Refusing to run the app as root: set SCRIPTSENSEI_USER to an unprivileged user" >&2
    exit 1
  fi
  give_to_app_user "${SCRIPTSENSEI_DATA_DIR:-/data}"
  if [ -n "${SCRIPTSENSEI_BACKUP_DIR:-}" ]; then
    give_to_app_user "$SCRIPTSENSEI_BACKUP_DIR"
  fi
  HOME=$(getent passwd "$app_user" | cut -d: -f6)
  export HOME
  exec setpriv --reuid="$(id -u "$app_user")" --regid="$(id -g "$app_user")" --init-groups \
    -- sh "$0" "$@"
fi

: "${SCRIPTSENSEI_DB_WAIT_SECONDS:=90}"
scriptsensei=${SCRIPTSENSEI_BIN:-scriptsensei}

echo "Waiting for the database (up to ${SCRIPTSENSEI_DB_WAIT_SECONDS}s)"
"$scriptsensei" db wait --timeout "$SCRIPTSENSEI_DB_WAIT_SECONDS"
"$scriptsensei" db upgrade

[ $# -eq 0 ] && set -- serve
exec "$scriptsensei" "$@"
