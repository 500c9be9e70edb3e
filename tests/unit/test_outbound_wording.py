"""Messages we start never name the subject: someone else may read the resident's phone."""

from __future__ import annotations

import re

import pytest

from api.i18n import render
from scripts.text_checks import SAMPLE_PARAMS

#: Messages the service starts (not replies to what the resident just wrote).
PROACTIVE = (
    "referral_accepted",
    "referral_declined",
    "optout_confirmed",
    "optin_confirmed",
    "appt_booked",
    "appt_moved",
    "appt_reminder",
    "appt_cancelled",
    "followup_check",
    "followup_review",
)
SUBJECTS = re.compile(
    r"mental|abuse|violen|debt|money|suicid|self.harm|health condition|benefit|housing|crisis|"
    r"lonel|bereave|carer|diabetes|referral|wellbeing",
    re.IGNORECASE,
)


@pytest.mark.parametrize("key", PROACTIVE)
@pytest.mark.parametrize("reason", ["other_service", "outside_area", "needs_gp", "could_not_contact"])
def test_messages_we_start_name_no_subject(key: str, reason: str) -> None:
    _, text = render(key, "en", {**SAMPLE_PARAMS, "reason": reason})
    assert SUBJECTS.search(text) is None, text


@pytest.mark.parametrize("key", ["appt_booked", "appt_reminder"])
@pytest.mark.parametrize("kind", ["phone", "home", "gp", "library", "community_centre", "video"])
@pytest.mark.parametrize("language", ["en", "bn", "ur", "pl", "ro", "pt"])
def test_reminders_name_no_subject_in_any_language_or_kind(key: str, kind: str, language: str) -> None:
    appointment = {**SAMPLE_PARAMS["appointment"], "kind": kind}
    _, text = render(key, language, {"appointment": appointment})
    assert SUBJECTS.search(text) is None, text
    assert "10:30" in text  # the time is there, written the language's way


def test_a_practitioner_cannot_write_the_subject_into_an_appointment() -> None:
    from api.reminders.appointments import AppointmentError, check_words

    check_words("Green Street Surgery", "Sam")
    for words in ("Debt advice centre", "Sam (mental health)", "domestic abuse service"):
        with pytest.raises(AppointmentError):
            check_words("Green Street", words)
