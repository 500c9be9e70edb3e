"""Catalog messages for appointments, reminders and follow-ups.

Same rules as api/messages.py, and one more: these go out when the resident has not just
written, perhaps to a phone someone else reads, so they never name what the help is about
(no "mental health", "abuse", "debt"...). tests/unit/test_outbound_wording.py checks it.
"""

from __future__ import annotations

from api.messages import N_

REMINDER_MESSAGES: dict[str, str] = {
    # Translators: %(when)s is a day, date and time, for example "Monday 7 December at 10:30".
    # %(where)s is one of the appt_where_ sentences below.
    "appt_booked": N_(
        "You have an appointment: %(when)s. %(where)s Reply 1 to confirm, 2 to change it or 3 to cancel."
    ),
    "appt_moved": N_(
        "Your appointment has moved to %(when)s. %(where)s Reply 1 to confirm, 2 to change it or 3 to cancel."
    ),
    "appt_reminder": N_(
        "Reminder: your appointment is %(when)s. %(where)s Reply 1 to confirm, 2 to change it or 3 to cancel."
    ),
    "appt_cancelled": N_(
        "Your appointment on %(when)s is cancelled. Type 0 if you want to talk to a person."
    ),
    # Translators: %(place)s is a phone number.
    "appt_where_phone": N_("We will phone you on %(place)s."),
    "appt_where_home": N_("We will visit you at home."),
    # Translators: %(place)s is the name of a GP practice, library or community centre.
    "appt_where_place": N_("It is at %(place)s."),
    "appt_where_video": N_("It is a video call. We will send you the link."),
    # Translators: %(who)s is a first name or a job, for example "Sam".
    "appt_with": N_("You will meet %(who)s."),
    "appt_confirm_thanks": N_("Thank you. Your appointment is confirmed. See you then."),
    "appt_cancel_done": N_("Your appointment is cancelled. Type 0 if you want to talk to a person."),
    "appt_change_asked": N_("Thank you. A person from the team will contact you to find a new time."),
    "followup_check": N_(
        "Hello again. Has the service been in touch with you yet? "
        "Reply 1 for yes, 2 for no, or 3 if you need help."
    ),
    "followup_yes": N_("Thank you, that is good to hear. You can text this number again at any time."),
    "followup_no": N_("Thank you for telling us. A person from the team will look into it for you."),
    "followup_review": N_(
        "Hello again. How are things going for you now? Reply with a number from 0 (very hard) "
        "to 10 (very good). If you want to talk to a person, just say so."
    ),
    "followup_review_thanks": N_("Thank you for telling us. You can text this number again at any time."),
    "followup_review_low": N_(
        "Thank you for telling us. I am sorry things are hard. A person from the team will contact you."
    ),
}

#: Translators: comma-separated words; keep the English ones and add your language's own.
#: Replies to a reminder or follow-up. confirm, change and cancel count whenever a reminder
#: waits for an answer; yes, no, help (and the numbers) only right after it. The everyday word
#: for cancel may also be a STOP word (CANCEL, ANULUJ): while a reminder waits for an answer it
#: cancels the appointment; otherwise it opts out, as the keyword rules say.
REPLY_WORDS: dict[str, str] = {
    "confirm": N_("CONFIRM"),
    "change": N_("CHANGE"),
    "cancel": N_("CANCEL"),
    "yes": N_("YES, OK"),
    "no": N_("NO"),
    "help": N_("HELP"),
}
