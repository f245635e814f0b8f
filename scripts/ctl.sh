#!/usr/bin/env bash
# supervisorctl for the services `make run` started: `scripts/ctl.sh status`, `… restart rasa`, `… tail -f web`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export ROOT="$root" VENV_BIN="$root/.venv/bin" LOG_DIR=${LOG_DIR:-$root/var/log} RUN_DIR=${RUN_DIR:-$root/var/run}
exec "$VENV_BIN/supervisorctl" -c "$root/ops/supervisord.conf" "$@"
