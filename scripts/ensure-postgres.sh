#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at HOST:PORT for the tests: starts the local
# cluster if it is installed but stopped, installs it from Debian if it is missing.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-5432}

ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

ready && exit 0
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
conf=/etc/postgresql/$version/main
# The tests connect as user postgres over TCP without a password (a throw-away server).
if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf"; then
  $sudo sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf"
fi
$sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
  || $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main restart
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL did not become ready at $host:$port" >&2
exit 1
