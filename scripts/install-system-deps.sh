#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, the PostgreSQL
# client (pg_dump, pg_restore) for backups, DejaVu fonts for rendering sample
# prescriptions. Installs only what is missing (needs root or sudo).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pg_dump >/dev/null || missing+=(postgresql-client)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
