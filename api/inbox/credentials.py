"""Passwords (Argon2id) and two-factor codes (TOTP, RFC 6238).

argon2-cffi's PasswordHasher uses Argon2id with the RFC 9106 low-memory profile by
default; pyotp implements TOTP as authenticator apps expect (30-second steps, 6 digits).
Both are small, well-kept libraries: writing either by hand would be a risk, not a saving.
"""

from __future__ import annotations

import time

import anyio
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

ISSUER = "Wellbeing inbox"
MIN_PASSWORD = 12
#: The longest password accepted (ASVS: at least 64 must be allowed); the login form's limit.
MAX_PASSWORD = 1024
#: zxcvbn's score: 3 means about 10^8 guesses or more; below it a password is refused.
MIN_SCORE = 3
#: The 30,000 most common passwords (zxcvbn's list, from Xato's 10 million leaked passwords).
COMMON = frozenset(FREQUENCY_LISTS["passwords"])
#: Argon2 runs in worker threads, at most this many at once: a burst of logins then waits
#: its turn instead of holding the event loop (and every webhook) while it hashes.
HASH_THREADS = 2
_limiter: anyio.CapacityLimiter | None = None

_hasher = PasswordHasher()
#: Verified against when the username is unknown, so a wrong name costs the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def password_problem(password: str, *context: str) -> str | None:
    """Why this password is refused, or None. Length and guessability only, no character
    rules: common passwords (and ones built from them, or from the person's own name) go."""
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"A password can have at most {MAX_PASSWORD} characters."
    if password.lower() in COMMON:
        return "That password is one of the most common ones. Please choose another."
    # zxcvbn reads the first 72 characters; a longer password is long enough already.
    words = [w for part in context for w in part.lower().split() if w]
    if zxcvbn(password[:72], user_inputs=[*words, "wellbeing", "inbox"])["score"] < MIN_SCORE:
        return "That password is too easy to guess (a common word, name or pattern). Please choose another."
    return None


def hash_password(password: str, *context: str) -> str:
    problem = password_problem(password, *context)
    if problem is not None:
        raise ValueError(problem)
    return _hasher.hash(password)


def _threads() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(HASH_THREADS)
    return _limiter


async def verify_password_in_thread(stored_hash: str | None, password: str) -> bool:
    """verify_password off the event loop (argon2-cffi releases the GIL while it hashes)."""
    return await anyio.to_thread.run_sync(verify_password, stored_hash, password, limiter=_threads())


async def hash_password_in_thread(password: str, *context: str) -> str:
    return await anyio.to_thread.run_sync(lambda: hash_password(password, *context), limiter=_threads())


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
