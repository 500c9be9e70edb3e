"""Catalog messages for the safety screen (api/safety/): the urgent routes, sent at once.

Same rules as api/messages.py. Numbers are the UK's national ones, free to call:
999 (and the Silent Solution: call 999, then press 55 if you cannot speak), NHS 111
option 2 for a mental health crisis, Samaritans 116 123, Shout (text SHOUT to 85258), the
National Domestic Abuse Helpline 0808 2000 247, the NSPCC 0808 800 5000, Childline 0800 1111.
"""

from __future__ import annotations

from api.messages import N_

SAFETY_MESSAGES: dict[str, str] = {
    "safety_suicide_self_harm": N_(
        "I am worried about you, and you are not alone. If you are in danger now, call 999. "
        "For urgent mental health help, call NHS 111 and choose option 2. Samaritans: call "
        "116 123, free, day or night. Or text SHOUT to 85258."
    ),
    # The semantic net's (or the bot's) reading of a possible crisis: the numbers at once and a
    # way to a person, without stopping the conversation (it may be a false alarm).
    "safety_concern": N_(
        "That sounds hard. If you or someone else is in danger now, call 999. Samaritans: "
        "116 123, free, day or night. Reply 0 to talk to a person from our team."
    ),
    "safety_immediate_danger": N_(
        "If you are in danger now, call 999. If you cannot speak, call 999, then press 55 when asked."
    ),
    "safety_domestic_abuse": N_(
        "Thank you for telling me. It is not your fault. If you are in danger now, call 999 "
        "(press 55 if you cannot speak). Domestic Abuse Helpline: 0808 2000 247, free, day or "
        "night. Is it safe to keep texting? If not, text STOP and we will stop at once."
    ),
    "safety_child_at_risk": N_(
        "If a child is in danger now, call 999. NSPCC helpline: 0808 800 5000. Children can call "
        "Childline free on 0800 1111."
    ),
    "safety_medical_emergency": N_(
        "This sounds like an emergency: call 999 now. If it is not life-threatening, call NHS 111."
    ),
    # After the urgent routes: when a person will really read the message.
    # Translators: %(wait)s is a length of time, for example "2 hours".
    "safety_team_open": N_("A person from our team will read your message, usually within %(wait)s."),
    # Translators: %(when)s is a day and time, for example "Monday 09:00".
    "safety_team_closed": N_(
        "Our team is not working now. A person will read your message from %(when)s. "
        "Until then, please use the numbers above."
    ),
    "erasure_requested": N_(
        "I have asked the team to delete your details and messages. It will be done within one "
        "month. Type 0 to talk to a person."
    ),
}
