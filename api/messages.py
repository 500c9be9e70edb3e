"""Every text a resident can receive, as Babel catalog messages.

Rasa responses carry only a key from this table (and parameters); the gateway renders
the key in the conversation's language just before sending. The English text here is
the catalog's source (msgid); `make messages` extracts it into `locales/`.

Rules for this text: plain words, short sentences, straight quotes only (a curly
apostrophe turns an SMS into the 70-character encoding), never blame, and always a
way to reach a person.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark text for extraction without translating it here."""
    return text


MESSAGES: dict[str, str] = {
    "greet": N_(
        "Hello. I can tell you about free local support for your health and wellbeing, "
        "and help you ask for it. Tell me in your own words what is going on. "
        "Type 0 at any time to talk to a person."
    ),
    "help": N_(
        "Reply with a number, or tell me in your own words.\n"
        "1 What help is there?\n"
        "2 Get help for you or someone you care for\n"
        "3 Your appointment\n"
        "4 Change language\n"
        "0 Talk to a person"
    ),
    "support_overview": N_(
        "There are free local workers who help with money, forms, housing, feeling alone, caring "
        "for someone, health conditions and stress. Tell me what is going on and I will say who "
        "fits best. Or ask, for example: what is a link worker?"
    ),
    "ask_what_matters": N_(
        "What would you like help with? Tell me in your own words. "
        "It can be for you or for someone you care for."
    ),
    "which_role": N_(
        "Which kind of help do you mean? For example: link worker, health coach or care "
        "coordinator. Or tell me what is going on and I will say who fits best."
    ),
    "offer_referral": N_(
        "Would you like me to ask them to get in touch with you? Reply YES or NO. "
        "Or type 0 to talk to a person."
    ),
    "anything_else": N_("That is fine. You can ask me anything else, or type 0 to talk to a person."),
    "support_free": N_("All the support I can tell you about is free."),
    "support_how_long": N_(
        "It depends on the kind of help. Some is a few sessions. Some lasts weeks or months. "
        "Tell me what is going on and I can say more."
    ),
    "support_where": N_(
        "Most help is at your GP surgery, a library or a community centre. "
        "It can also be by phone, or at home if you need that."
    ),
    "role_not_here": N_(
        "That kind of help is not offered in %(area)s, but you can still get support here. "
        "Tell me what is going on, or type 0 to talk to a person."
    ),
    "goodbye": N_("Thank you for getting in touch. You can text this number again at any time."),
    "thanks": N_("You are welcome. Is there anything else I can help with?"),
    "fallback": N_(
        "Sorry, I did not understand that. Could you say it another way? Or type 0 to talk to a person."
    ),
    "human_requested": N_(
        "Thank you. I have asked the support team to reply to you here. If you are in danger, call 999."
    ),
    "empty_message": N_(
        "I could not see any words in that message. Please tell me in your own words "
        "what you need, or type 0 to talk to a person."
    ),
    "media_received": N_(
        "Thank you. I have kept what you sent so a person from the team can see it. "
        "I can only read words, so please tell me what you need in a message."
    ),
    "long_message": N_(
        "Thank you. Your message was long, so I read the first part. All of it is kept for the support team."
    ),
    "holding": N_(
        "Thank you, I have your message. I am slow right now but I will answer soon. "
        "If you need help now, call 111, or 999 in an emergency."
    ),
    # Pieces of messages composed from the service directory (api/explain.py).
    "it_is_free": N_("It is free."),
    "need_best_fit": N_("The help that fits best is a %(title)s."),
    "need_same_help": N_("The same %(title)s can help with that too."),
    "need_other_help": N_("A %(title)s can help with that."),
    "role_is": N_("%(title)s:\n%(summary)s"),
}

# The self-referral and the language menu (kept apart to keep each file short).
from api.messages_inbox import INBOX_MESSAGES  # noqa: E402
from api.messages_referral import REFERRAL_MESSAGES  # noqa: E402
from api.messages_reminders import REMINDER_MESSAGES  # noqa: E402
from api.messages_rights import RIGHTS_MESSAGES  # noqa: E402
from api.messages_safety import SAFETY_MESSAGES  # noqa: E402

MESSAGES.update(REFERRAL_MESSAGES)
MESSAGES.update(SAFETY_MESSAGES)
MESSAGES.update(INBOX_MESSAGES)
MESSAGES.update(REMINDER_MESSAGES)
MESSAGES.update(RIGHTS_MESSAGES)

#: What the resident gets when the bot sends something that is not in this table.
UNKNOWN_KEY_FALLBACK = "fallback"
