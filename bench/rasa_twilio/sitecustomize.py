"""Loaded only into the `rasa run` process of the Rasa Twilio channel comparison (bench/inbound.py).

Two changes at the edge, nothing in Rasa itself:

1. The twilio SDK talks to the local fake Twilio API (BENCH_TWILIO_API_BASE_URL) instead of
   api.twilio.com, exactly as our gateway does with TWILIO_API_BASE_URL.
2. Our bot answers with catalog keys as custom payloads ({"key": ..., "params": ...}), which
   the gateway renders. Rasa's TwilioOutput.send_custom_json passes those fields straight to
   `messages.create(**payload)`, which raises TypeError, so stock Rasa could send nothing with
   our model. Here the key is sent as the body instead (rendering, microseconds in our gateway,
   is left out: that favours Rasa slightly).
"""

from __future__ import annotations

import os
from typing import Any

_BASE = os.environ.get("BENCH_TWILIO_API_BASE_URL", "").rstrip("/")


def _patch() -> None:
    from twilio.base import domain
    from twilio.rest.api.v2010.account import message

    original_init = domain.Domain.__init__

    def init(self: Any, twilio: Any, base_url: str) -> None:
        original_init(self, twilio, _BASE if base_url == "https://api.twilio.com" else base_url)

    domain.Domain.__init__ = init  # type: ignore[method-assign]

    original_create = message.MessageList.create

    def create(self: Any, *args: Any, key: Any = None, params: Any = None, **kwargs: Any) -> Any:
        if key is not None and not kwargs.get("body"):
            kwargs["body"] = str(key)
        return original_create(self, *args, **kwargs)

    message.MessageList.create = create  # type: ignore[method-assign]


if _BASE:
    _patch()
