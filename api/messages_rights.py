"""Catalog messages for the resident's data rights and "when is my appointment?" (api/rights.py).

Same rules as api/messages.py. Deleting data and stopping all messages are asked about
first; the answers say plainly what happens and how to reach a person.
"""

from __future__ import annotations

from api.messages import N_

RIGHTS_MESSAGES: dict[str, str] = {
    "erasure_confirm": N_(
        "Do you want us to delete your details and all your messages? This cannot be undone. "
        "Reply YES to delete them, or NO to keep them."
    ),
    "erasure_kept": N_(
        "OK. Nothing has been deleted. You can ask me anything else, or type 0 to talk to a person."
    ),
    "optout_ask": N_(
        "Do you want us to stop sending you messages? Reply YES to stop them, or NO to keep them. "
        "You can also type 0 to talk to a person."
    ),
    # Translators: %(form_days)s is a number of days, for example 7.
    "data_held": N_(
        "We keep your number and language, your messages, and any referral, appointments and "
        "team notes. Answers to a form you did not finish are deleted after %(form_days)s days. "
        "The rest is kept until you ask us to delete it. Would you like a copy? Reply YES or NO."
    ),
    # Translators: %(days)s and %(form_days)s are numbers of days.
    "data_held_days": N_(
        "We keep your number and language, your messages, and any referral, appointments and "
        "team notes. Answers to a form you did not finish are deleted after %(form_days)s days. "
        "The rest is deleted %(days)s days after your last message, unless your case is open. "
        "Would you like a copy? Reply YES or NO."
    ),
    "data_copy_requested": N_(
        "Thank you. I have asked the team to send you a copy of your data. A person will contact "
        "you to check it is you. It will be done within one month."
    ),
    # Translators: %(when)s is a day, date and time, for example "Monday 7 December at 10:30".
    # %(where)s is one of the appt_where_ sentences.
    "appt_next": N_("Your next appointment is %(when)s. %(where)s To change it, type 0 to talk to a person."),
    "appt_none": N_(
        "I cannot see an appointment booked for you. Type 0 and a person from the team will help."
    ),
}
