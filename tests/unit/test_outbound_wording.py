"""Messages we start never name the subject: someone else may read the resident's phone."""

from __future__ import annotations

import re

import pytest

from api.i18n import render
from scripts.text_checks import SAMPLE_PARAMS

#: Messages the service starts (not replies to what the resident just wrote).
PROACTIVE = ("referral_accepted", "referral_declined", "optout_confirmed", "optin_confirmed")
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
