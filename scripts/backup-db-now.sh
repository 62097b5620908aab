#!/usr/bin/env bash
# Take a backup now (database + stored files + manifest), then verify it.
#   scripts/backup-db-now.sh [--output DIR]
# Runs `scriptsensei` where it is installed: SCRIPTSENSEI_BIN if set, else this checkout's
# .venv, else the one on PATH; on a Compose host (ScriptSensei only inside the container)
# it runs in the `app` service: `docker compose exec -T app scriptsensei ...`, so the
# archive lands in /backups there (./backups on the host) and is verified there.
set -euo pipefail
cd "$(dirname "$0")/.."

scriptsensei=()
if [ -n "${SCRIPTSENSEI_BIN:-}" ]; then
  scriptsensei=("$SCRIPTSENSEI_BIN")
elif [ -x .venv/bin/scriptsensei ]; then
  scriptsensei=(.venv/bin/scriptsensei)
elif command -v scriptsensei >/dev/null 2>&1; then
  scriptsensei=(scriptsensei)
elif command -v docker >/dev/null 2>&1; then
  scriptsensei=(docker compose exec -T app scriptsensei)
else
  echo "scriptsensei is not installed here and docker is not available" >&2
  exit 1
fi

output=$("${scriptsensei[@]}" backup "$@")
echo "$output"
archive=$(echo "$output" | sed -n 's/^Backup written: //p')
if [ -z "$archive" ]; then
  echo "the backup did not say where it wrote the archive" >&2
  exit 1
fi
"${scriptsensei[@]}" backup verify "$archive"
