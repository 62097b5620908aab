#!/bin/sh
# `scriptsensei` on the image's PATH. `docker compose exec app scriptsensei backup` starts
# as root (the image's user, so that the entry point can prepare the volumes); run that way,
# the command runs as the app's user instead, so the app never runs as root and nothing it
# writes (archives, stored files, the guard's marker) is root-owned.
set -eu

app=${SCRIPTSENSEI_APP:-/opt/venv/bin/scriptsensei}
app_user=${SCRIPTSENSEI_USER:-scriptsensei}

if [ "$(id -u)" = 0 ]; then
  if [ "$(id -u "$app_user")" = 0 ]; then
    echo "Refusing to run the app as root: set SCRIPTSENSEI_USER to an unprivileged user" >&2
    exit 1
  fi
  HOME=$(getent passwd "$app_user" | cut -d: -f6)
  export HOME
  exec setpriv --reuid="$(id -u "$app_user")" --regid="$(id -g "$app_user")" --init-groups \
    -- "$app" "$@"
fi
exec "$app" "$@"
