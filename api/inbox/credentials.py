"""Passwords (Argon2id) and two-factor codes (TOTP, RFC 6238).

argon2-cffi's PasswordHasher uses Argon2id with the RFC 9106 low-memory profile by
default; pyotp implements TOTP as authenticator apps expect (30-second steps, 6 digits).
Both are small, well-kept libraries: writing either by hand would be a risk, not a saving.
"""

from __future__ import annotations

import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ISSUER = "Wellbeing inbox"
MIN_PASSWORD = 12

_hasher = PasswordHasher()
#: Verified against when the username is unknown, so a wrong name costs the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def totp_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step a code belongs to (this one or either neighbour), or None if wrong.

    The caller stores used steps so that one code cannot be replayed.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None
