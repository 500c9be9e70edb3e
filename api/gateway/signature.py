"""Twilio request signatures, checked with the twilio SDK's own validator."""

from __future__ import annotations

from twilio.request_validator import RequestValidator


def is_valid_signature(
    auth_token: str, public_base_url: str, path_and_query: str, form: dict[str, str], signature: str
) -> bool:
    """Check X-Twilio-Signature against PUBLIC_BASE_URL + path (so it works behind a proxy)."""
    if not signature:
        return False
    url = public_base_url.rstrip("/") + path_and_query
    return bool(RequestValidator(auth_token).validate(url, form, signature))


def sign(auth_token: str, url: str, form: dict[str, str]) -> str:
    """What Twilio would send as X-Twilio-Signature (used by `make chat`, tests and benchmarks)."""
    return str(RequestValidator(auth_token).compute_signature(url, form))
