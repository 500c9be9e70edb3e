"""Inbox passwords (Argon2id) and two-factor codes (TOTP)."""

from __future__ import annotations

import pyotp
import pytest

from api.inbox.credentials import MIN_PASSWORD, hash_password, new_totp_secret, totp_step, verify_password

PASSWORD = "correct horse battery"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#: A fixed moment, 10 seconds into its 30-second step.
T = 1_795_000_010.0
STEP = int(T // 30)


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)


def test_the_hash_is_argon2id(stored: str) -> None:
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_the_same_password_hashes_differently() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_verify(stored: str) -> None:
    assert verify_password(stored, PASSWORD) is True
    assert verify_password(stored, PASSWORD + "x") is False
    assert verify_password(stored, PASSWORD.upper()) is False


def test_verify_without_a_stored_hash_is_false() -> None:
    assert verify_password(None, PASSWORD) is False
    # Not even with the password behind the dummy hash used for timing.
    assert verify_password(None, "not a real password, only for timing") is False


def test_verify_with_a_broken_hash_is_false() -> None:
    assert verify_password("not a hash", PASSWORD) is False


def test_a_short_password_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        hash_password("x" * (MIN_PASSWORD - 1))
    assert hash_password("x" * MIN_PASSWORD).startswith("$argon2id$")


def test_the_current_code_gives_its_step() -> None:
    code = pyotp.TOTP(SECRET).at(T)
    assert totp_step(SECRET, code, at=T) == STEP


def test_the_previous_code_is_still_accepted() -> None:
    assert totp_step(SECRET, pyotp.TOTP(SECRET).at(T - 30), at=T) == STEP - 1


def test_a_code_two_steps_old_is_refused() -> None:
    old = pyotp.TOTP(SECRET).at(T - 60)
    assert old not in {pyotp.TOTP(SECRET).at(T + d) for d in (-30, 0, 30)}
    assert totp_step(SECRET, old, at=T) is None


def test_a_code_for_another_secret_is_refused() -> None:
    other = pyotp.TOTP("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU").at(T)
    assert other != pyotp.TOTP(SECRET).at(T)
    assert totp_step(SECRET, other, at=T) is None


def test_spaces_are_ignored() -> None:
    code = pyotp.TOTP(SECRET).at(T)
    assert totp_step(SECRET, f" {code[:3]} {code[3:]} ", at=T) == STEP


@pytest.mark.parametrize("code", ["", "abcdef", "12a456", "12345", "1234567", "-12345", "123.45"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert totp_step(SECRET, code, at=T) is None


def test_wrong_length_versions_of_the_right_code_are_refused() -> None:
    code = pyotp.TOTP(SECRET).at(T)
    assert totp_step(SECRET, code[:5], at=T) is None
    assert totp_step(SECRET, code + "0", at=T) is None
    assert totp_step(SECRET, "0" + code, at=T) is None


def test_a_new_secret_works_with_authenticator_codes() -> None:
    secret = new_totp_secret()
    assert secret != new_totp_secret()
    assert totp_step(secret, pyotp.TOTP(secret).at(T), at=T) == STEP
