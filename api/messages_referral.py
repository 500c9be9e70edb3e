"""Catalog messages for the self-referral and for choosing a language.

Same rules as api/messages.py. Keys starting "ask_ref_" are the form's questions (the
"_other" ones when the resident asks for someone else); "ref_retry_" keys re-ask after an
answer that could not be used, always with an example.
"""

from __future__ import annotations

from api.messages import N_

REFERRAL_MESSAGES: dict[str, str] = {
    # --- Starting, stopping, coming back -------------------------------------------------
    "ref_intro": N_(
        "I will ask some short questions, one at a time. It takes about 5 minutes. "
        "Type SKIP to leave out a question that is not needed, or STOP to stop. "
        "Type 0 at any time to talk to a person."
    ),
    "ref_welcome_back": N_("Welcome back. Let us carry on where you left off."),
    "ref_stopped": N_(
        "OK, I have stopped the questions. If you come back within 7 days, you can carry on "
        "where you left off. Type 0 to talk to a person. To get no more messages at all, send "
        "STOP again."
    ),
    "ref_resume_prompt": N_(
        "Welcome back. You started asking for help. Would you like to carry on where you "
        "left off? Reply YES or NO."
    ),
    "ref_discarded": N_(
        "OK, I have deleted your answers. You can ask for help again at any time. Type 0 to talk to a person."
    ),
    "ref_expired": N_(
        "To keep your details safe, I delete unfinished answers after 7 days. So we need to start again."
    ),
    # --- The questions ---------------------------------------------------------------------
    "ask_ref_story": N_(
        "What would you like help with? Tell me in your own words. "
        "We keep your words, so the person who helps you understands."
    ),
    "ask_ref_needs": N_("Which of these is it about? Reply with the numbers, for example: 1 4\n%(choices)s"),
    "ask_ref_for_whom": N_("Is this help for you, or for someone else?\n1 For me\n2 For someone else"),
    "ask_ref_agreement": N_(
        "Does the person know you are asking for help for them, and do they agree? Reply YES or NO."
    ),
    "ask_ref_first_name": N_("What is your first name? We use it when we contact you."),
    "ask_ref_first_name_other": N_(
        "What is the first name of the person who needs help? We use it when we contact them."
    ),
    "ask_ref_surname": N_("And your surname? Type SKIP if you would rather not say."),
    "ask_ref_surname_other": N_("And their surname? Type SKIP if you would rather not say."),
    "ask_ref_dob": N_(
        "What is your date of birth? For example: 25/12/1980. It helps the team find your health records."
    ),
    "ask_ref_dob_other": N_(
        "What is their date of birth? For example: 25/12/1980. It helps the team find their health records."
    ),
    "ask_ref_postcode": N_(
        "What is your postcode? For example: E15 4HT. It tells us which local team can help."
    ),
    "ask_ref_postcode_other": N_(
        "What is their postcode? For example: E15 4HT. It tells us which local team can help."
    ),
    "ask_ref_gp": N_("What is the name of your GP practice? Type SKIP if you do not know."),
    "ask_ref_gp_other": N_("What is the name of their GP practice? Type SKIP if you do not know."),
    "ask_ref_contact_ways": N_(
        "How can we contact you safely? Reply with one or more numbers, for example: 1 3\n"
        "1 Text message\n2 WhatsApp\n3 Phone call"
    ),
    "ask_ref_contact_times": N_(
        "When is a good time to contact you? Reply with one or more numbers.\n"
        "1 Morning\n2 Afternoon\n3 Evening\n4 Any time"
    ),
    "ask_ref_private": N_(
        "Could someone else read your messages or hear a voicemail from us? Reply YES or NO. "
        "If yes, our messages will not say what they are about."
    ),
    "ask_ref_interpreter": N_("Would you like an interpreter? It is free. Reply YES or NO."),
    "ask_ref_access": N_(
        "Is there anything that makes talking or meeting hard for you? For example: hearing, "
        "sight, autism or getting about. Tell me, or type SKIP."
    ),
    "ask_ref_access_other": N_(
        "Is there anything that makes talking or meeting hard for them? For example: hearing, "
        "sight, autism or getting about. Tell me, or type SKIP."
    ),
    "ask_ref_consent": N_(
        "Can we share your answers with the local support team and the GP? "
        "They need them to help. Reply YES or NO."
    ),
    # --- Re-asking, with an example ---------------------------------------------------------
    "ref_retry_story": N_("Please tell me in a few words what you would like help with."),
    "ref_retry_needs": N_("Please reply with numbers from this list, for example: 1 4\n%(choices)s"),
    "ref_retry_for_whom": N_("Please reply 1 if the help is for you, or 2 if it is for someone else."),
    "ref_retry_yes_no": N_("Please reply YES or NO."),
    "ref_retry_name": N_("Please write just the name, for example: Sam"),
    "ref_retry_required": N_("We need this one to help, so it cannot be skipped. Please send your answer."),
    "ref_retry_dob": N_("I could not read that date. Please write it like this: 25/12/1980"),
    "ref_retry_dob_range": N_(
        "That date does not look right. Please write the date of birth like this: 25/12/1980"
    ),
    "ref_retry_postcode": N_("That does not look like a UK postcode. Please write it like this: E15 4HT"),
    "ref_out_of_area": N_(
        "%(postcode)s is outside the areas we cover. Your GP practice can put you in touch "
        "with the same kind of free help where you live. If the postcode is wrong, please "
        "send it again."
    ),
    "ref_retry_contact_ways": N_(
        "Please reply with one or more numbers, for example: 1 3\n1 Text message\n2 WhatsApp\n3 Phone call"
    ),
    "ref_retry_contact_times": N_(
        "Please reply with one or more numbers, for example: 1 2\n"
        "1 Morning\n2 Afternoon\n3 Evening\n4 Any time"
    ),
    "ref_retry_confirm": N_("Please reply YES to send it, or the number of the answer you want to change."),
    "ref_offer_person": N_("I have kept your answers so far. Type 0 if you would like a person to help."),
    # --- Questions asked in the middle of the form (then the form question again) ------------
    "ref_why_story": N_(
        "So the person who helps you knows what is going on, and you do not have to tell it again."
    ),
    "ref_why_needs": N_("It helps us find the right kind of help for you."),
    "ref_why_for_whom": N_(
        "We need the details of the person who needs help. If it is someone else, they must agree."
    ),
    "ref_why_name": N_("So we know what to call you when we contact you."),
    "ref_why_dob": N_(
        "It helps the team find the right health records. This service is for people aged 16 and over."
    ),
    "ref_why_postcode": N_("Your postcode tells us which local team can help you."),
    "ref_why_gp": N_("It helps the team find your records. If you do not know it, type SKIP."),
    "ref_why_contact": N_("So we only contact you in a way, and at a time, that is safe for you."),
    "ref_why_access": N_("So we can make talking or meeting easier for you."),
    "ref_why_consent": N_(
        "The local team and the GP need your answers to help you. Nothing is sent unless you say YES."
    ),
    "ref_who_sees": N_(
        "Only the local support team sees your answers, and the GP practice if you say YES at "
        "the end. You can ask us to delete them at any time."
    ),
    # --- Endings ------------------------------------------------------------------------------
    "ref_under_16": N_(
        "Thank you for telling me. This service is for people aged 16 and over. Your GP, a "
        "school nurse or Childline can help young people. Childline is free on 0800 1111. "
        "Type 0 to talk to a person."
    ),
    "ref_no_agreement": N_(
        "That is fine. Please ask them first: we can only help with their agreement. "
        "Type 0 to talk to a person."
    ),
    "ref_no_consent": N_(
        "That is fine. Without your OK we cannot send your request, so I have deleted your "
        "answers. Type 0 to talk to a person."
    ),
    "referral_sent": N_(
        "Thank you. Your request is sent. Your reference is %(reference)s.\n%(wait)s\n"
        "If you need help urgently, call NHS 111. In an emergency, call 999."
    ),
    # --- The summary --------------------------------------------------------------------------
    "summary_header": N_("Please check your answers:"),
    "summary_footer": N_("Reply YES to send it. To change an answer, reply with its number."),
    "summary_story": N_("Help with"),
    "summary_needs": N_("About"),
    "summary_for_whom": N_("For"),
    "summary_name": N_("Name"),
    "summary_dob": N_("Date of birth"),
    "summary_postcode": N_("Postcode"),
    "summary_gp": N_("GP practice"),
    "summary_contact": N_("Contact"),
    "summary_access": N_("Interpreter and access"),
    "value_for_me": N_("You"),
    "value_for_other": N_("Someone else, who agrees"),
    "value_not_given": N_("Not given"),
    "value_interpreter": N_("Interpreter needed"),
    "value_no_interpreter": N_("No interpreter"),
    "value_private": N_("Messages must not say what they are about"),
    "contact_sms": N_("Text message"),
    "contact_whatsapp": N_("WhatsApp"),
    "contact_call": N_("Phone call"),
    "time_morning": N_("Morning"),
    "time_afternoon": N_("Afternoon"),
    "time_evening": N_("Evening"),
    "time_any": N_("Any time"),
    # --- The needs, as short choices -------------------------------------------------------
    "need_label_money": N_("Money or debt"),
    "need_label_benefits_forms": N_("Benefits or forms"),
    "need_label_housing": N_("Housing"),
    "need_label_lonely": N_("Feeling alone"),
    "need_label_bereavement": N_("Losing someone"),
    "need_label_carer": N_("Caring for someone"),
    "need_label_long_term_condition": N_("Long-term illness"),
    "need_label_mental_health": N_("Stress, worry or low mood"),
    "need_label_food": N_("Food"),
    "need_label_digital": N_("Phones or the internet"),
    "need_label_healthy_habits": N_("Healthy habits"),
    "need_label_many_services": N_("Too many services"),
    # --- After the referral -----------------------------------------------------------------
    "referral_status_none": N_(
        "I cannot find a request for help from this number. To ask for help, tell me what is "
        "going on. Or type 0 to talk to a person."
    ),
    "referral_status_new": N_(
        "We have your request %(reference)s from %(date)s. %(wait)s Type 0 to talk to a person."
    ),
    "referral_status_accepted": N_(
        "Your request %(reference)s has been accepted. Someone will contact you soon, in the "
        "way you asked. Type 0 to talk to a person."
    ),
    "referral_status_declined": N_(
        "The team could not take on your request %(reference)s. %(reason)s Type 0 to talk to a person."
    ),
    "referral_status_closed": N_(
        "Your request %(reference)s is closed. If you need help again, just tell me. "
        "Type 0 to talk to a person."
    ),
    "referral_accepted": N_(
        "Good news. Your request %(reference)s has been accepted. Someone from the team will "
        "contact you soon, in the way you asked."
    ),
    "referral_declined": N_(
        "About your request %(reference)s: the team cannot take it on. %(reason)s Type 0 to talk to a person."
    ),
    "decline_other_service": N_(
        "Another service can help you better. The team will tell you how to reach it."
    ),
    "decline_outside_area": N_(
        "You live outside the area this team covers. Your GP practice can put you in touch "
        "with help where you live."
    ),
    "decline_needs_gp": N_("What you told us needs your GP first. Please contact your GP practice."),
    "decline_could_not_contact": N_("We tried to contact you but could not reach you."),
    # --- SMS keywords (api/keywords.py) -------------------------------------------------
    "optout_confirmed": N_(
        "You will get no more messages from this number. To start again, text START. "
        "In an emergency, call 999."
    ),
    "optin_confirmed": N_(
        "Welcome back. You can get messages from us again. Tell me what you need, or type 0 "
        "to talk to a person."
    ),
    "keyword_help": N_(
        "This is the free local health and wellbeing support line. Type MENU to see what I can "
        "do, or 0 to talk to a person. Text STOP to get no more messages. In an emergency, call 999."
    ),
    # --- Language -----------------------------------------------------------------------------
    "language_menu": N_("Which language would you like? Reply with a number.\n%(choices)s"),
    # Translators: these two name the language of this catalog ("in Polish"), not English.
    "language_set": N_("OK. I will write to you in English. To change the language, type LANG."),
    "language_detected": N_("I will write to you in English. To change the language, type LANG."),
    # Translators: sent on its own line, in this catalog's language, to someone who wrote this
    # language in Latin letters ("ami sahajjo chai") or said salam. Bengali and Urdu: write it in
    # Latin letters, the way people type the language on a phone, and keep the reply word in
    # capitals and Latin letters (BANGLA, URDU). Other languages: the name as residents type it.
    "language_offer": N_("For messages in English, reply ENGLISH."),
}
