"""The self-referral form: checking each answer, and asking each question.

Every answer arrives as the message text (a `from_text` mapping). Each validate_ method
reads it with actions/answers.py and either keeps it, or clears it and records why in
`ref_error`, so the question's ask action re-asks with an example. After two failed tries
on one question the re-ask also offers a person; answers given so far are always kept.

A few answers end the form early (under 16, no agreement, no consent): `ref_outcome` is
set and required_slots() returns nothing, so Rasa deactivates the form and
action_referral_done says the right thing.

Options are read by their numbers or by their own words in any language, and yes or no by
the words too (actions/form_words.py). A question about the form ("why do you need
this?") is answered and the same question asked again; "carry on" asks it again too.
Neither counts as a failed try: only an answer that could not be used does.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers as a
from actions import form_words as fw
from actions.messages import utter_key
from actions.support import roles_in

FORM = "referral_form"
#: The NLU must be at least this sure before a yes, no or skip is taken as one.
INTENT_CONFIDENCE = 0.3
#: After this many failed tries at one question in a row, a person takes over.
HAND_OFF_AFTER = 3
#: The NLU must be at least this sure before a message is taken as a question about a role or cost.
QUESTION_CONFIDENCE = 0.6
#: Answers in the resident's own words: any words are an answer, so only the form's own
#: question words (actions/form_words.yml) make a question here, never the NLU's guess.
FREE_TEXT = frozenset({"ref_story", "ref_gp", "ref_access"})
#: Not a failed answer: the question is asked again as it was.
ASK_AGAIN = frozenset({"question", "carry_on"})
#: Why each question is asked.
WHY_KEYS = {
    "ref_story": "ref_why_story",
    "ref_needs": "ref_why_needs",
    "ref_for_whom": "ref_why_for_whom",
    "ref_agreement": "ref_why_for_whom",
    "ref_first_name": "ref_why_name",
    "ref_surname": "ref_why_name",
    "ref_dob": "ref_why_dob",
    "ref_postcode": "ref_why_postcode",
    "ref_gp": "ref_why_gp",
    "ref_contact_ways": "ref_why_contact",
    "ref_contact_times": "ref_why_contact",
    "ref_private": "ref_why_contact",
    "ref_interpreter": "ref_why_access",
    "ref_access": "ref_why_access",
    "ref_consent": "ref_why_consent",
    "ref_confirm": "ref_why_consent",
}
#: Intents that keep a message from the form, but whose words may still answer it.
OVERRIDABLE = frozenset({"stop", "human"})
YES_NO_SLOTS = frozenset({"ref_agreement", "ref_private", "ref_interpreter", "ref_consent"})
WORD_OPTIONS: dict[str, tuple[str, ...]] = {
    "ref_needs": a.NEEDS,
    "ref_for_whom": ("self", "other"),
    "ref_contact_ways": a.CONTACT_WAYS,
    "ref_contact_times": a.CONTACT_TIMES,
    "ref_confirm": tuple(name for name, _ in a.SUMMARY_ITEMS),
}
Slots = dict[str, Any]
Domain = dict[str, Any]
Dispatcher = CollectingDispatcher


def answer_intent(tracker: Tracker) -> str | None:
    """The message's intent when it is a clear yes, no or skip (fallback looked past)."""
    message = tracker.latest_message or {}
    ranking = message.get("intent_ranking") or [message.get("intent") or {}]
    for intent in ranking:
        name = intent.get("name")
        if name == "nlu_fallback":
            continue
        if name in {"affirm", "deny", "skip"} and (intent.get("confidence") or 0) >= INTENT_CONFIDENCE:
            return str(name)
        return None
    return None


def text_of(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def form_question(tracker: Tracker, slot: str) -> str | None:
    """What the message asks about the form ("why", "who_sees", "free", "role:<id>"), if it does."""
    kind = fw.question(text_of(tracker))
    if kind or slot in FREE_TEXT:
        return kind
    intent = (tracker.latest_message or {}).get("intent") or {}
    if (intent.get("confidence") or 0) < QUESTION_CONFIDENCE:
        return None
    if intent.get("name") == "ask_role":
        roles = roles_in(tracker)
        return f"role:{roles[0]}" if roles else None
    return "free" if intent.get("name") == "ask_cost" else None


def answer_question(dispatcher: Dispatcher, slot: str, kind: str) -> Slots:
    """Answer it; the ask action then asks the same question again (no failed try counted)."""
    more: Slots = {}
    if kind.startswith("role:"):
        role = kind.removeprefix("role:")
        utter_key(dispatcher, "role_about", {"role": role})
        utter_key(dispatcher, "role_details", {"role": role})
        more["role"] = role
    elif kind == "who_sees":
        utter_key(dispatcher, "ref_who_sees")
    elif kind == "free":
        utter_key(dispatcher, "support_free")
    else:
        utter_key(dispatcher, WHY_KEYS[slot])
    return {slot: None, "ref_error": {"reason": "question"}, **more}


def failed(tracker: Tracker, slot: str, reason: str, **details: Any) -> Slots:
    count = int(tracker.get_slot("ref_failures") or 0) + 1
    return {slot: None, "ref_error": {"reason": reason, **details}, "ref_failures": count}


def kept(slot: str, value: Any, **more: Any) -> Slots:
    return {slot: value, "ref_error": None, "ref_failures": 0, **more}


def yes_no(tracker: Tracker, slot: str) -> Slots | bool:
    said = fw.yes_or_no(text_of(tracker))
    if said is not None:
        return said
    intent = answer_intent(tracker)
    if intent in {"affirm", "deny"}:
        return intent == "affirm"
    return failed(tracker, slot, "yes_no")


class ValidateReferralForm(FormValidationAction):
    def name(self) -> str:
        return "validate_referral_form"

    async def get_validation_events(
        self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        """Check only the answer to the question just asked.

        When the form starts again (after STOP, or coming back), Rasa offers every answer
        kept so far for validation; they were checked when given and are stored in their
        checked form (ids, ISO dates), so they are kept as they are.
        """
        asked = tracker.get_slot("requested_slot")
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        result: Slots = {}
        offered = tracker.slots_to_validate()
        if asked in required and asked not in offered and hasattr(self, f"validate_{asked}"):
            # Nothing taken: the model read STOP or "a person". If the words answer the
            # question after all, they are the answer; otherwise the form steps aside.
            offered = {asked: text_of(tracker)} if self._answers_anyway(tracker, asked) else {}
        for slot, value in offered.items():
            if slot not in required:
                continue
            validate = getattr(self, f"validate_{slot}", None)
            if slot != asked or validate is None:
                result[slot] = value
                continue
            kind = form_question(tracker, slot)
            if kind is not None:
                checked = answer_question(dispatcher, slot, kind)
            elif fw.wants_to_carry_on(text_of(tracker)):
                checked = {slot: None, "ref_error": {"reason": "carry_on"}}
            else:
                checked = validate(value, dispatcher, tracker, domain)
            result.update(checked)
            tracker.slots.update(checked)
        return [SlotSet(slot, value) for slot, value in result.items()]

    @staticmethod
    def _answers_anyway(tracker: Tracker, slot: str) -> bool:
        """Words the model took for STOP or "a person" that answer the question after all.

        "someone else" and "call me" are options, "send it" is a yes, "why?" a question.
        Never over a crisis, never for a bare STOP or 0 (no option words in them), and a
        no is not taken over a STOP ("no stop").
        """
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent not in OVERRIDABLE:
            return False
        text = text_of(tracker)
        if fw.question(text) is not None or fw.wants_to_carry_on(text):
            return True
        if slot in YES_NO_SLOTS or slot == "ref_confirm":
            if intent == "stop" and fw.yes_or_no(text) is True:
                return True
            if slot in YES_NO_SLOTS:
                return False
        options = WORD_OPTIONS.get(slot)
        return options is not None and fw.choices(text, slot, options) is not None

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot("ref_outcome"):
            return []
        if tracker.get_slot("ref_for_whom") == "other":
            return list(a.QUESTIONS)
        return [s for s in a.QUESTIONS if s != "ref_agreement"]

    def _text(self, tracker: Tracker, slot: str, value: Any, limit: int) -> Slots:
        intent = answer_intent(tracker)
        if intent == "skip" or (slot == "ref_access" and intent == "deny"):
            if slot in a.OPTIONAL:
                return kept(slot, a.SKIPPED)
            return failed(tracker, slot, "required")
        text = str(value or "").strip()[:limit]  # word for word, line breaks kept
        return kept(slot, text) if text else failed(tracker, slot, "story")

    def validate_ref_story(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._text(t, "ref_story", value, 1000)

    def validate_ref_gp(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._text(t, "ref_gp", value, 120)

    def validate_ref_access(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._text(t, "ref_access", value, 300)

    def validate_ref_needs(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        chosen = fw.choices(str(value), "ref_needs", a.NEEDS)
        return failed(t, "ref_needs", "needs") if chosen is None else kept("ref_needs", chosen)

    def validate_ref_for_whom(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        choice = fw.choice(str(value), "ref_for_whom", ("self", "other"))
        return failed(t, "ref_for_whom", "for_whom") if choice is None else kept("ref_for_whom", choice)

    def validate_ref_agreement(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        answer = yes_no(t, "ref_agreement")
        if isinstance(answer, dict):
            return answer
        return (
            kept("ref_agreement", "yes")
            if answer
            else kept("ref_agreement", "no", ref_outcome="no_agreement")
        )

    def _name(self, tracker: Tracker, slot: str, value: Any) -> Slots:
        if answer_intent(tracker) == "skip":
            return kept(slot, a.SKIPPED) if slot in a.OPTIONAL else failed(tracker, slot, "required")
        name = a.clean_name(str(value))
        return kept(slot, name) if name else failed(tracker, slot, "name")

    def validate_ref_first_name(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._name(t, "ref_first_name", value)

    def validate_ref_surname(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._name(t, "ref_surname", value)

    def validate_ref_dob(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        if answer_intent(t) == "skip":
            return failed(t, "ref_dob", "required")
        today = a.today_in_london()
        born = a.parse_date(str(value), today)
        if born is None:
            return failed(t, "ref_dob", "dob")
        age = a.age_on(born, today)
        if born > today or age > a.MAX_AGE:
            return failed(t, "ref_dob", "dob_range")
        if age < a.MIN_AGE:
            return kept("ref_dob", born.isoformat(), ref_outcome="under_16")
        return kept("ref_dob", born.isoformat())

    def validate_ref_postcode(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        if answer_intent(t) == "skip":
            return failed(t, "ref_postcode", "required")
        postcode = a.normalize_postcode(str(value))
        if postcode is None:
            return failed(t, "ref_postcode", "postcode")
        area = a.area_for(postcode)
        if area is None:
            return failed(t, "ref_postcode", "out_of_area", postcode=postcode)
        return kept("ref_postcode", postcode, ref_area=area)

    def _choices(
        self, tracker: Tracker, slot: str, value: Any, options: tuple[str, ...], reason: str
    ) -> Slots:
        chosen = fw.choices(str(value), slot, options)
        return failed(tracker, slot, reason) if chosen is None else kept(slot, chosen)

    def validate_ref_contact_ways(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._choices(t, "ref_contact_ways", value, a.CONTACT_WAYS, "contact_ways")

    def validate_ref_contact_times(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._choices(t, "ref_contact_times", value, a.CONTACT_TIMES, "contact_times")

    def _yes_no_slot(self, tracker: Tracker, slot: str) -> Slots:
        answer = yes_no(tracker, slot)
        return answer if isinstance(answer, dict) else kept(slot, "yes" if answer else "no")

    def validate_ref_private(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._yes_no_slot(t, "ref_private")

    def validate_ref_interpreter(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        return self._yes_no_slot(t, "ref_interpreter")

    def validate_ref_consent(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        answer = yes_no(t, "ref_consent")
        if isinstance(answer, dict):
            return answer
        return kept("ref_consent", "yes") if answer else kept("ref_consent", "no", ref_outcome="no_consent")

    def validate_ref_confirm(self, value: Any, d: Dispatcher, t: Tracker, domain: Domain) -> Slots:
        said = fw.yes_or_no(str(value))
        if said or (said is None and answer_intent(t) == "affirm"):
            return kept("ref_confirm", "yes")
        items = tuple(name for name, _ in a.SUMMARY_ITEMS)
        item = fw.choice(str(value), "ref_confirm", items)
        if item is None:
            return failed(t, "ref_confirm", "confirm")
        # Clear the chosen answers: the form asks them again, then shows the summary again.
        slots = dict(a.SUMMARY_ITEMS)[item]
        return {**{slot: None for slot in slots}, "ref_confirm": None, "ref_error": None, "ref_failures": 0}


def answers_of(tracker: Tracker) -> dict[str, Any]:
    return {
        slot.removeprefix("ref_"): tracker.get_slot(slot) for slot in a.QUESTIONS if slot != "ref_confirm"
    }


class AskReferralQuestion(Action):
    """Asks one question (action_ask_<slot>), or re-asks it after an answer that failed."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        error = tracker.get_slot("ref_error") or {}
        if error.get("reason") in ASK_AGAIN:
            error = {}  # answered a question, or "carry on": the same question, as it was
        params: dict[str, Any] = {}
        if error:
            key = (
                f"ref_retry_{error.get('reason')}"
                if error.get("reason") != "out_of_area"
                else "ref_out_of_area"
            )
            params.update({k: v for k, v in error.items() if k != "reason"})
            failures = int(tracker.get_slot("ref_failures") or 0)
            if failures >= HAND_OFF_AFTER:
                # Still stuck after the offer of a person: a person takes over, with the
                # answers so far kept for them (the form carries on if they hand back).
                utter_key(dispatcher, "handoff_not_understood")
                utter_key(dispatcher, "human_requested")
                return [SlotSet("ref_error", None), SlotSet("ref_failures", 0)]
            if failures >= 2:
                params["offer_person"] = True
        else:
            key = f"ask_{self.slot}"
            if self.slot in a.ABOUT_THE_PERSON and tracker.get_slot("ref_for_whom") == "other":
                key += "_other"
        if self.slot == "ref_needs":
            params["choices"] = list(a.NEEDS)
        if self.slot == "ref_confirm" and not error:
            key = "referral_summary"
            params["answers"] = answers_of(tracker)
        utter_key(dispatcher, key, params)
        return [SlotSet("ref_error", None)]


def _ask_action(slot: str) -> type[AskReferralQuestion]:
    return type(f"Ask_{slot}", (AskReferralQuestion,), {"slot": slot})


# One ask action per question; the SDK registers every Action subclass it finds.
ASK_ACTIONS = [_ask_action(slot) for slot in a.QUESTIONS]
