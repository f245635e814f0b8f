#!/usr/bin/env bash
# Starts every service of the assistant under supervisord (ops/supervisord.conf) in the foreground;
# Ctrl-C stops them all. `make run` calls this after setting up; the end-to-end tests call it too,
# with other ports and directories. A service that crashes is restarted; the others keep running.
set -euo pipefail
# Everything created from here on (secrets, databases, logs, the control socket) is owner-only.
umask 077
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/.venv/bin"

# Rasa's HTTP API can read and rewrite every conversation, so it only takes JWTs signed with a
# secret; the action server takes only calls carrying a shared token; the coach desk signs its
# sessions with a secret. Each is generated once into a git-ignored file unless given in the
# environment. None of them is ever put on a command line, where `ps` would show it.
env_file=${ENV_FILE:-$root/.env.local}
secret() { "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
touch "$env_file"
chmod 600 "$env_file"
for name in RASA_JWT_SECRET DESK_SESSION_SECRET ACTION_SERVER_TOKEN; do
  if ! grep -q "^$name=" "$env_file"; then
    printf '%s=%s\n' "$name" "$(secret)" >> "$env_file"
    echo "Generated $name in $env_file"
  fi
done
given=()
for name in RASA_JWT_SECRET DESK_SESSION_SECRET ACTION_SERVER_TOKEN; do given+=("${!name:-}"); done
set -a; . "$env_file"; set +a
i=0
for name in RASA_JWT_SECRET DESK_SESSION_SECRET ACTION_SERVER_TOKEN; do
  [ -n "${given[$i]}" ] && printf -v "$name" '%s' "${given[$i]}"
  export "$name"
  i=$((i + 1))
done

export ROOT="$root" VENV_BIN="$bin"
export DESK_PYTHON=${DESK_PYTHON:-$root/.venv-desk/bin/python}
export RASA_PORT=${RASA_PORT:-5005}
export ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
export DESK_PORT=${DESK_PORT:-8080}
export WEB_ORIGIN=${WEB_ORIGIN:-http://localhost:$DESK_PORT}
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
export CATALOG_DB_URL=${CATALOG_DB_URL:-sqlite:///$root/var/catalog.sqlite3}
export TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///$root/var/tracker.sqlite3}
export RASA_MODEL=${RASA_MODEL:-$root/bot/models/advisor.tar.gz}
export RASA_TELEMETRY_ENABLED=false
export LOG_DIR=${LOG_DIR:-$root/var/log}
export RUN_DIR=${RUN_DIR:-$root/var/run}
mkdir -p "$LOG_DIR" "$RUN_DIR"
# Files an older version created world-readable (databases hold transcripts and password hashes).
[ -d "$root/var" ] && chmod -R go= "$root/var"
[ -x "$DESK_PYTHON" ] || { echo "No desk environment at $DESK_PYTHON: run \`make setup\`." >&2; exit 1; }

cat <<MSG
Credential Advisor is starting under supervisord (Rasa needs about 20 s to load the model):
  chat over REST:  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  website + chat:  http://localhost:$DESK_PORT/
  coach desk:      http://localhost:$DESK_PORT/desk/   (add a coach: .venv/bin/python -m channels.desk create-coach NAME)
  action server:   http://127.0.0.1:$ACTION_PORT/health
  services:        make status   (supervisorctl; logs in $LOG_DIR)
Press Ctrl-C to stop everything.
MSG
exec "$bin/supervisord" -c "$root/ops/supervisord.conf"
