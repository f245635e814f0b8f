#!/usr/bin/env bash
# Starts every service of the assistant in the foreground and stops them all on Ctrl-C.
# `make run` calls this after setting up; tests call it too, with other ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/.venv/bin"

# Rasa's HTTP API can read and rewrite every conversation, so it only ever runs behind a token;
# the coach desk signs its sessions with a secret. Both are generated once into a git-ignored
# file unless given in the environment.
env_file=${ENV_FILE:-$root/.env.local}
secret() { "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
if [ ! -f "$env_file" ]; then
  umask 077
  printf 'RASA_AUTH_TOKEN=%s\nDESK_SESSION_SECRET=%s\n' "$(secret)" "$(secret)" > "$env_file"
  echo "Generated the Rasa API token and the desk session secret in $env_file"
fi
given_token=${RASA_AUTH_TOKEN:-}
given_secret=${DESK_SESSION_SECRET:-}
set -a; . "$env_file"; set +a
RASA_AUTH_TOKEN=${given_token:-$RASA_AUTH_TOKEN}
DESK_SESSION_SECRET=${given_secret:-$DESK_SESSION_SECRET}
: "${RASA_AUTH_TOKEN:?RASA_AUTH_TOKEN is empty: refusing to open the Rasa HTTP API without a token}"

export RASA_PORT=${RASA_PORT:-5005}
export ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
export DESK_PORT=${DESK_PORT:-8080}
export WEB_ORIGIN=${WEB_ORIGIN:-http://localhost:$DESK_PORT}
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
export CATALOG_DB_URL=${CATALOG_DB_URL:-sqlite:///$root/var/catalog.sqlite3}
export TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///$root/var/tracker.sqlite3}
export RASA_TELEMETRY_ENABLED=false
model=${RASA_MODEL:-$root/bot/models/advisor.tar.gz}
log_dir=${LOG_DIR:-$root/var/log}
mkdir -p "$log_dir"

children=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

# SERVICES picks which to start (tests start them one by one to stop and restart each).
services=${SERVICES:-actions rasa web}
cd "$root/bot"
if [[ " $services " == *" actions "* ]]; then
  "$bin/rasa" run actions --actions bot.actions --port "$ACTION_PORT" > >(tee -a "$log_dir/actions.log") 2>&1 &
  children+=($!)
fi
if [[ " $services " == *" rasa "* ]]; then
  "$bin/rasa" run --model "$model" --port "$RASA_PORT" --enable-api --auth-token "$RASA_AUTH_TOKEN" \
    --cors "$WEB_ORIGIN" --credentials credentials.yml --endpoints endpoints.yml > >(tee -a "$log_dir/rasa.log") 2>&1 &
  children+=($!)
fi
if [[ " $services " == *" web "* ]]; then
  "$bin/python" -m channels.server > >(tee -a "$log_dir/web.log") 2>&1 &
  children+=($!)
fi

cat <<MSG
Credential Advisor is starting (Rasa needs about 20 s to load the model):
  chat over REST:  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  or in a terminal: cd bot && ../.venv/bin/rasa shell   (with the servers stopped)
  website + chat:  http://localhost:$DESK_PORT/
  coach desk:      http://localhost:$DESK_PORT/desk/   (add a coach: .venv/bin/python -m channels.desk create-coach NAME)
  action server:   http://127.0.0.1:$ACTION_PORT/health
  logs:            $log_dir
Press Ctrl-C to stop everything.
MSG
# If any service dies, stop the others rather than limp along half-up.
wait -n
echo "A service stopped; shutting down the rest." >&2
exit 1
