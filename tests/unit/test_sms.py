from __future__ import annotations

import pytest

from api.sms import encoding, segments, units


@pytest.mark.parametrize(
    ("text", "kind", "count", "parts"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters count twice
        ("€" * 81, "GSM-7", 162, 2),
        ("[x]", "GSM-7", 5, 1),
        ("it's", "GSM-7", 4, 1),
        ("it’s", "UCS-2", 4, 1),  # one curly apostrophe changes the whole encoding
        ("a" * 70 + "’", "UCS-2", 71, 2),
        ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
        ("😀" * 36, "UCS-2", 72, 2),
        ("আমি সাহায্য চাই", "UCS-2", 15, 1),
        ("Dzień dobry", "UCS-2", 11, 1),  # Polish ń is not in GSM-7
    ],
)
def test_encoding_units_and_segments(text: str, kind: str, count: int, parts: int) -> None:
    assert (encoding(text), units(text), segments(text)) == (kind, count, parts)
