#!/usr/bin/env bash
# Starts every service of the assistant under supervisord (ops/supervisord.conf) in the foreground;
# Ctrl-C stops them all. `make run` calls this after setting up; the end-to-end tests call it too,
# with other ports and directories. A service that crashes is restarted; the others keep running.
# With REPLICAS=N (`make cluster`), N Rasa replicas and N action servers run behind HAProxy
# (ops/supervisord.cluster.conf, ops/haproxy.cfg), sharing the databases and Redis.
set -euo pipefail
# Everything created from here on (secrets, databases, logs, the control socket) is owner-only.
umask 077
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/.venv/bin"

# Rasa's HTTP API can read and rewrite every conversation, so it only takes JWTs signed with a
# secret; the action server takes only calls carrying a shared token; the coach desk signs its
# sessions with a secret. Each is generated once into a git-ignored file unless given in the
# environment. None of them is ever put on a command line, where `ps` would show it. Rasa pulls its
# model from the desk with a fourth (MODEL_SERVER_TOKEN): a model holds what learners wrote.
env_file=${ENV_FILE:-$root/.env.local}
secret() { "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
touch "$env_file"
chmod 600 "$env_file"
for name in RASA_JWT_SECRET DESK_SESSION_SECRET ACTION_SERVER_TOKEN MODEL_SERVER_TOKEN; do
  if ! grep -q "^$name=" "$env_file"; then
    printf '%s=%s\n' "$name" "$(secret)" >> "$env_file"
    echo "Generated $name in $env_file"
  fi
done
given=()
for name in RASA_JWT_SECRET DESK_SESSION_SECRET ACTION_SERVER_TOKEN MODEL_SERVER_TOKEN; do given+=("${!name:-}"); done
set -a; . "$env_file"; set +a
i=0
for name in RASA_JWT_SECRET DESK_SESSION_SECRET ACTION_SERVER_TOKEN MODEL_SERVER_TOKEN; do
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
# The model every Rasa process serves: `make train`'s until one trained on the desk is newer (README.md,
# "Retraining from the desk"); Rasa pulls it from the desk, which keeps it in MODEL_STORE_DIR.
export MODEL_STORE_DIR=${MODEL_STORE_DIR:-$root/var/models}
export MODEL_SERVER_URL=${MODEL_SERVER_URL:-http://127.0.0.1:$DESK_PORT/desk/model}
export TRAINING_PYTHON=${TRAINING_PYTHON:-$bin/python}
export RASA_TELEMETRY_ENABLED=false
export LOG_DIR=${LOG_DIR:-$root/var/log}
export RUN_DIR=${RUN_DIR:-$root/var/run}
mkdir -p "$LOG_DIR" "$RUN_DIR"
conf="$root/ops/supervisord.conf"
if [ -n "${REPLICAS:-}" ]; then
  [[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || { echo "REPLICAS must be a number of replicas, not '$REPLICAS'." >&2; exit 1; }
  for url in "$TRACKER_DB_URL" "$CATALOG_DB_URL" "${HANDOFF_DB_URL:-}"; do
    if [[ "$url" == sqlite* ]]; then
      echo "Replicas share their databases: set TRACKER_DB_URL and CATALOG_DB_URL (and HANDOFF_DB_URL, if" \
        "given) to a database server (README.md, Scale-out)." >&2
      exit 1
    fi
  done
  export HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
  [ -x "$HAPROXY" ] || { echo "No HAProxy at $HAPROXY: run \`make cluster\` (it installs Debian's)." >&2; exit 1; }
  export RASA_ENDPOINTS=${RASA_ENDPOINTS:-$root/bot/endpoints.cluster.yml}
  export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_DB=${REDIS_DB:-0}
  export REDIS_KEY_PREFIX=${REDIS_KEY_PREFIX:-advisor}
  # HAProxy takes RASA_PORT (on every interface, as Rasa alone does) and ACTION_PORT; the
  # replicas listen on 127.0.0.1 only, from these ports up.
  export RASA_LB_HOST=${RASA_LB_HOST:-0.0.0.0} RASA_HOST=127.0.0.1
  export RASA_REPLICA_PORT=${RASA_REPLICA_PORT:-5100} ACTION_REPLICA_PORT=${ACTION_REPLICA_PORT:-5150}
  servers() {  # NAME FIRST_PORT: one HAProxy server line per replica
    for ((i = 0; i < REPLICAS; i++)); do printf '    server %s-%d 127.0.0.1:%d\n' "$1" "$i" $(($2 + i)); done
  }
  RASA_SERVERS=$(servers rasa "$RASA_REPLICA_PORT") ACTION_SERVERS=$(servers actions "$ACTION_REPLICA_PORT") \
    awk '$1 == "#@servers" { print ($2 == "rasa" ? ENVIRON["RASA_SERVERS"] : ENVIRON["ACTION_SERVERS"]); next } { print }' \
    "$root/ops/haproxy.cfg" > "$RUN_DIR/haproxy.cfg"
  "$HAPROXY" -c -q -f "$RUN_DIR/haproxy.cfg"
  conf="$root/ops/supervisord.cluster.conf"
fi
export RASA_ENDPOINTS=${RASA_ENDPOINTS:-$root/bot/endpoints.yml}
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
MSG
[ -z "${REPLICAS:-}" ] || echo "  scale-out:       $REPLICAS Rasa replicas and $REPLICAS action servers behind HAProxy (logs rasa-N.log, actions-N.log)"
echo "Press Ctrl-C to stop everything."
exec "$bin/supervisord" -c "$conf"
