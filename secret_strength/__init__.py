"""How strong a secret is: the one rule both Python environments use (standard library only).

The gateway's settings (api/config.py) and the bot's launchers (bot/serve.py,
bot/serve_actions.py) refuse a weak secret in production with it. A secret is weak when it is
short, when it is one of the development values this repository publishes, or when an estimate
of its entropy is low. The estimate is Shannon's over the secret's own characters, times its
length, and a repeated run of characters counts against it; it cannot see that a long phrase is
guessable, so generate secrets (`python -c "import secrets; print(secrets.token_urlsafe(32))"`)
rather than invent them.
"""

from __future__ import annotations

import math
from collections import Counter

#: Shortest secret accepted in production (token_urlsafe(32) gives 43 characters, a Twilio auth
#: token is 32 hexadecimal digits).
MIN_LENGTH = 32
#: Lowest estimated entropy accepted, in bits. 32 random hexadecimal digits (128 bits) are
#: estimated at 86 to 120 bits (100,000 draws), so 80 refuses none of them.
MIN_BITS = 80.0
#: A run of this many characters seen twice in one secret is a pattern, not chance (for random
#: hexadecimal digits, about one secret in ten million).
REPEAT_RUN = 8
#: Parts of the development and example values published in this repository.
DEVELOPMENT_MARKERS = ("dev-only", "change-me", "changeme", "example", "password", "not-secret")


def estimated_bits(value: str) -> float:
    """Shannon entropy of the secret's characters times its length (an upper bound for the
    guesser's work when the characters are drawn independently)."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -n * sum(c / n * math.log2(c / n) for c in counts.values())


def has_repeated_run(value: str, run: int = REPEAT_RUN) -> bool:
    seen: set[str] = set()
    for i in range(len(value) - run + 1):
        chunk = value[i : i + run]
        if chunk in seen:
            return True
        seen.add(chunk)
    return False


def weakness(value: str) -> str | None:
    """Why `value` is too weak to be a production secret, or None when it is strong enough."""
    if len(value) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    lowered = value.lower()
    if any(marker in lowered for marker in DEVELOPMENT_MARKERS):
        return "is a development or example value"
    if has_repeated_run(value):
        return "repeats itself"
    if estimated_bits(value) < MIN_BITS:
        return f"has too little entropy (under {MIN_BITS:.0f} bits estimated)"
    return None
