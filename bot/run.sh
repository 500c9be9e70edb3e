#!/usr/bin/env bash
# Serve the trained model (models/current.tar.gz) over Rasa's REST channel.
#
# Usage: bot/run.sh [extra rasa run args]
#   REDIS_HOST (127.0.0.1) REDIS_PORT (6379) REDIS_DB (0) REDIS_PASSWORD ("")
#   ACTION_ENDPOINT_URL (http://127.0.0.1:5055/webhook)
#   RASA_HOST (127.0.0.1)  RASA_PORT (5005)
#   RASA_AUTH_TOKEN        token for the HTTP API (/conversations/...); when
#                          unset the API is not enabled, only the webhook.
#   BOT_VENV (.venv-bot)
# bot/endpoints.yml reads the REDIS_* and ACTION_ENDPOINT_URL variables; Rasa
# refuses to start if one of them is unset, so defaults are exported here.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

export REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
export REDIS_PORT="${REDIS_PORT:-6379}"
export REDIS_DB="${REDIS_DB:-0}"
export REDIS_PASSWORD="${REDIS_PASSWORD:-}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:5055/webhook}"


api_args=()
if [[ -n "${RASA_AUTH_TOKEN:-}" ]]; then
  api_args=(--enable-api --auth-token "${RASA_AUTH_TOKEN}")
fi

# bot/serve.py: `rasa run` with the check of action server answers made cheaper (see there).
exec "${BOT_VENV}/bin/python" -m bot.serve run \
  --model models/current.tar.gz \
  --endpoints bot/endpoints.yml \
  --credentials bot/credentials.yml \
  --interface "${RASA_HOST:-127.0.0.1}" \
  --port "${RASA_PORT:-5005}" \
  "${api_args[@]}" \
  "$@"
