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
        "I can explain the free support near you and help you ask for it. "
        "You can write in your own words, in your own language. "
        "Type 0 at any time to talk to a person."
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
}

#: What the resident gets when the bot sends something that is not in this table.
UNKNOWN_KEY_FALLBACK = "fallback"
