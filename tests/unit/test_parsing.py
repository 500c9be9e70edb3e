from __future__ import annotations

import pytest

from api.db.models import Channel
from api.gateway.parsing import parse_address, parse_form, parse_inbound, too_long


def test_form_decodes_utf8_and_replaces_junk_without_raising() -> None:
    form = parse_form(b"Body=caf%C3%A9+%F0%9F%98%80&From=%2B447911123456&X=\xff\xfe&Y=a%00b")
    assert form == {"Body": "café 😀", "From": "+447911123456", "X": "\ufffd\ufffd", "Y": "a\ufffdb"}


@pytest.mark.parametrize(
    "raw", [b"", b"&&&", b"%", b"=", b"%zz=%zz", b"\x00\x01\x02", b"a=" + b"\xff" * 5000]
)
def test_form_never_raises(raw: bytes) -> None:
    assert isinstance(parse_form(raw), dict)


@pytest.mark.parametrize(
    ("raw", "channel", "phone", "valid"),
    [
        ("+447911123456", Channel.SMS, "+447911123456", True),
        ("whatsapp:+447911123456", Channel.WHATSAPP, "+447911123456", True),
        ("WhatsApp: +44 7911 123456", Channel.WHATSAPP, "+447911123456", True),
        ("07911 123456", Channel.SMS, "+447911123456", True),
        ("+353 85 123 4567", Channel.SMS, "+353851234567", True),
        ("07700 900123", Channel.SMS, "07700 900123", False),  # Ofcom drama range: not a real number
        ("NHSINFO", Channel.SMS, "NHSINFO", False),  # an alphanumeric sender id
        ("", Channel.SMS, "", False),
    ],
)
def test_addresses_are_normalised_to_e164(raw: str, channel: Channel, phone: str, valid: bool) -> None:
    address = parse_address(raw)
    assert (address.channel, address.phone, address.valid) == (channel, phone, valid)


def test_media_is_kept_and_counted_safely() -> None:
    form = {
        "MessageSid": "SM1",
        "From": "+447911123456",
        "Body": "",
        "NumMedia": "2",
        "MediaUrl0": "https://example.org/a",
        "MediaContentType0": "image/jpeg",
        "MediaUrl1": "https://example.org/b",
        "MediaContentType1": "audio/ogg",
    }
    inbound = parse_inbound(form)
    assert inbound.media == [
        {"url": "https://example.org/a", "content_type": "image/jpeg"},
        {"url": "https://example.org/b", "content_type": "audio/ogg"},
    ]
    assert parse_inbound({**form, "NumMedia": "lots"}).media == []
    assert parse_inbound({**form, "NumMedia": "-3"}).media == []


def test_a_delivery_without_message_sid_gets_a_stable_id() -> None:
    form = {"From": "+447911123456", "Body": "hello"}
    first, again = parse_inbound(form), parse_inbound(dict(reversed(list(form.items()))))
    assert first.sid.startswith("XX") and first.sid == again.sid
    assert parse_inbound({**form, "Body": "other"}).sid != first.sid


def test_ids_too_long_to_store_are_named_not_cut() -> None:
    sid = "SM" + "a" * 62
    assert too_long({"MessageSid": sid, "ErrorCode": "3" * 32}) is None
    assert parse_inbound({"MessageSid": sid}).sid == sid
    assert too_long({"MessageSid": sid + "b"}) == "MessageSid is longer than 64 characters."
    assert too_long({"SmsSid": "x" * 65}) == "SmsSid is longer than 64 characters."
    assert too_long({"MessageSid": sid, "ErrorCode": "3" * 33}) == "ErrorCode is longer than 32 characters."


def test_two_long_senders_that_are_not_numbers_stay_apart() -> None:
    """A long junk address used to be cut to 64 characters: two such senders shared a contact."""
    one, two = parse_address("x" * 80 + "1"), parse_address("x" * 80 + "2")
    assert not one.valid and not two.valid
    assert one.phone != two.phone
    assert len(one.phone) <= 64 and len(two.phone) <= 64
    assert parse_address("x" * 80 + "1").phone == one.phone  # stable: retries find the same contact
    assert parse_address("not a number").phone == "not a number"  # short ones kept as sent
