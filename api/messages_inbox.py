"""Catalog messages for the handoff to a person and the inbox's canned replies.

Same rules as api/messages.py. Canned replies are catalog messages so that they reach the
resident in the resident's language, whatever language the practitioner reads.
"""

from __future__ import annotations

from api.messages import N_

INBOX_MESSAGES: dict[str, str] = {
    # Translators: %(wait)s is a length of time, for example "2 hours".
    "handoff_open": N_(
        "Thank you. A person from the team will reply to you here, usually within %(wait)s. "
        "If you are in danger, call 999."
    ),
    # Translators: %(when)s is a day and time, for example "Monday 09:00".
    "handoff_closed": N_(
        "Thank you. The team is not working right now. A person will reply to you here "
        "from %(when)s. If you need help now, call NHS 111. In an emergency, call 999."
    ),
    "handoff_not_understood": N_(
        "Sorry, I am not getting this right. I will ask a person from the team to help you."
    ),
    "handed_back": N_(
        "You are talking to the automatic helper again. Type 0 at any time to talk to a person."
    ),
    # Translators: %(name)s is the first name of the person from the team.
    "canned_hello": N_(
        "Hello, my name is %(name)s and I am from the support team. I have read your messages. "
        "How can I help?"
    ),
    "canned_wait": N_("Thank you for waiting. I am looking into this and will reply to you soon."),
    "canned_call": N_("Is it safe for us to call you on this number? Please reply YES or NO."),
    "canned_urgent": N_(
        "If you are in danger now, call 999. For urgent help, call NHS 111 and choose option 2. "
        "Samaritans are free on 116 123."
    ),
    "canned_bye": N_("Thank you for talking with us. You can text this number again at any time."),
}
