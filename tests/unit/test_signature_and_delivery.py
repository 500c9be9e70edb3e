from __future__ import annotations

from api.gateway.signature import is_valid_signature, sign

TOKEN = "a-test-token-1234"
FORM = {"From": "+447911123456", "Body": "hello", "MessageSid": "SM1"}


def test_signature_is_checked_against_the_public_url_and_every_field() -> None:
    signature = sign(TOKEN, "https://public.example.org/twilio/messages", FORM)
    assert is_valid_signature(TOKEN, "https://public.example.org", "/twilio/messages", FORM, signature)
    assert is_valid_signature(TOKEN, "https://public.example.org/", "/twilio/messages", FORM, signature)
    assert not is_valid_signature(TOKEN, "http://127.0.0.1:8000", "/twilio/messages", FORM, signature)
    assert not is_valid_signature(
        TOKEN, "https://public.example.org", "/twilio/messages", {**FORM, "Body": "changed"}, signature
    )
    assert not is_valid_signature(
        TOKEN, "https://public.example.org", "/twilio/messages", {**FORM, "Extra": "x"}, signature
    )
    assert not is_valid_signature(
        "another-token-123", "https://public.example.org", "/twilio/messages", FORM, signature
    )
    assert not is_valid_signature(TOKEN, "https://public.example.org", "/twilio/messages", FORM, "")


def test_the_query_string_is_part_of_what_is_signed() -> None:
    signature = sign(TOKEN, "https://p.example.org/twilio/status?m=12", FORM)
    assert is_valid_signature(TOKEN, "https://p.example.org", "/twilio/status?m=12", FORM, signature)
    assert not is_valid_signature(TOKEN, "https://p.example.org", "/twilio/status?m=13", FORM, signature)
