"""SMS encoding and segment counts (GSM 03.38), for text checks and, later, the reply box.

No well-kept library does this (smsutil is unmaintained; sms-counter miscounts emoji), and
the rules are short: GSM-7 text is 160 characters in one part or 153 per part when split,
with the extension characters counting twice; anything else is UCS-2, 70 or 67 per part,
counted in UTF-16 code units (an emoji is two).
"""

from __future__ import annotations

import math

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def encoding(text: str) -> str:
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "UCS-2"


def units(text: str) -> int:
    """Length in the encoding's units: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding(text) == "GSM-7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    count = units(text)
    if count == 0:
        return 1
    single, multi = (160, 153) if encoding(text) == "GSM-7" else (70, 67)
    return 1 if count <= single else math.ceil(count / multi)
