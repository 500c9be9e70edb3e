#!/usr/bin/env bash
# Serve the trained model (models/current.tar.gz) over Rasa's REST channel.
#
# Usage: bot/run.sh [extra rasa run args]
#   REDIS_HOST (127.0.0.1) REDIS_PORT (6379) REDIS_DB (0) REDIS_PASSWORD ("")
#   ACTION_ENDPOINT_URL (http://127.0.0.1:5055/webhook)
#   RASA_HOST (127.0.0.1)  RASA_PORT (5005)
#   RASA_TOKEN             required: every request (REST channel and HTTP API)
#                          needs "Authorization: Bearer $RASA_TOKEN"; bot/serve.py
#                          reads it from the environment (never the command line).
#   ACTION_SERVER_TOKEN    required: sent to the action server (bot/endpoints.yml).
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

: "${RASA_TOKEN:?RASA_TOKEN is not set (Rasa refuses requests without it)}"
: "${ACTION_SERVER_TOKEN:?ACTION_SERVER_TOKEN is not set (the action server needs it)}"

# bot/serve.py: `rasa run` with the token check (REST channel and HTTP API, enabled there) and
# the check of action server answers made cheaper (see there).
exec "${BOT_VENV}/bin/python" -m bot.serve run \
  --model models/current.tar.gz \
  --endpoints bot/endpoints.yml \
  --credentials bot/credentials.yml \
  --interface "${RASA_HOST:-127.0.0.1}" \
  --port "${RASA_PORT:-5005}" \
  "$@"
