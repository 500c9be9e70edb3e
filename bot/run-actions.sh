#!/usr/bin/env bash
# Run the Rasa SDK action server with the actions/ package (bot/serve_actions.py).
#
# Usage: bot/run-actions.sh [extra rasa run actions args]
#   ACTIONS_HOST (127.0.0.1)  ACTIONS_PORT (5055)  BOT_VENV (.venv-bot)
#   ACTION_SERVER_TOKEN   required: every call but /health needs it as a bearer
#                         token (Rasa sends it, see bot/endpoints.yml)
# The SDK binds to $SANIC_HOST (its own default is 0.0.0.0); we default to
# loopback. Rasa reaches it at ACTION_ENDPOINT_URL (http://host:port/webhook).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

export SANIC_HOST="${ACTIONS_HOST:-127.0.0.1}"

exec "${BOT_VENV}/bin/python" -m bot.serve_actions \
  --actions actions \
  --port "${ACTIONS_PORT:-5055}" \
  "$@"
