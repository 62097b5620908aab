#!/usr/bin/env bash
# Take a backup now (database + stored files + manifest), then verify it.
# On a Compose deployment:   docker compose exec app scriptsensei backup
# On a host install:         scripts/backup-db-now.sh [--output DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scriptsensei=${SCRIPTSENSEI_BIN:-}
if [ -z "$scriptsensei" ]; then
  if [ -x .venv/bin/scriptsensei ]; then scriptsensei=.venv/bin/scriptsensei; else scriptsensei=scriptsensei; fi
fi
output=$("$scriptsensei" backup "$@")
echo "$output"
archive=$(echo "$output" | sed -n 's/^Backup written: //p')
"$scriptsensei" backup verify "$archive"
