"""The safety screen through the webhook: urgent routes at once, in the resident's language,
the conversation flagged and handed to a person; also with Rasa down, in a form, and while
waiting for a person.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from api.i18n import render
from api.languages import load_languages
from api.safety.phrases import screen
from api.understanding import Understanding
from scripts.stack import Stack
from tests.conftest import PRACTITIONER_TOKEN
from tests.inbox_support import logged_in, make_account
from tests.support import Database, Gateway, Resident, converse, keys, unanswered, wait_for

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]


def crisis_message(code: str, category: str) -> str:
    texts: list[str] = yaml.safe_load(
        (ROOT / "tests" / "safety" / f"{code}.yml").read_text(encoding="utf-8")
    )["crisis"][category]
    # The longest: more words, the way people write when they reach out.
    return max(texts, key=len)


def conversation_of(db: Database, resident: Resident) -> dict[str, object]:
    [row] = db.rows(
        "SELECT c.* FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    return row


@pytest.mark.parametrize("code", list(load_languages()))
def test_a_crisis_gets_the_urgent_routes_in_the_residents_language(
    healthy: Stack, gateway: Gateway, db: Database, code: str
) -> None:
    resident = Resident(gateway)
    converse(resident, db, load_languages()[code].name)  # the resident chose their language
    replies = converse(resident, db, crisis_message(code, "suicide_self_harm"))
    assert keys(replies)[0] == "safety_suicide_self_harm"
    assert replies[0]["body"] == render("safety_suicide_self_harm", code)[1]
    assert "116 123" in replies[0]["body"] and "85258" in replies[0]["body"]
    conversation = conversation_of(db, resident)
    assert conversation["safety_flag"] == "suicide_self_harm" and conversation["owner"] == "waiting"
    # "I'm fine" does not clear the flag, and the bot stays quiet for the person to answer.
    resident.send("im fine now sorry, you misunderstood")
    assert conversation_of(db, resident)["safety_flag"] == "suicide_self_harm"


@pytest.mark.parametrize(
    "category", ["immediate_danger", "domestic_abuse", "child_at_risk", "medical_emergency"]
)
def test_each_kind_of_crisis_gets_its_routes(
    healthy: Stack, gateway: Gateway, db: Database, category: str
) -> None:
    resident = Resident(gateway)
    replies = converse(resident, db, crisis_message("en", category))
    assert f"safety_{category}" in keys(replies)
    assert "999" in replies[0]["body"]
    assert conversation_of(db, resident)["safety_flag"] is not None


def test_the_urgent_reply_needs_no_bot(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    healthy.stop_service("rasa")
    try:
        replies = converse(resident, db, "i want to kill myself tonight", timeout=10)
        assert keys(replies) == ["safety_suicide_self_harm", "safety_team_open"]
    finally:
        healthy.start_service("rasa")


def test_a_crisis_in_the_middle_of_the_referral_is_not_taken_as_an_answer(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "i would like to ask for help"))[-1] == "ask_ref_story"
    replies = converse(resident, db, "my partner hits me and i am scared to go home")
    assert keys(replies) == ["safety_domestic_abuse"]
    assert "0808 2000 247" in replies[0]["body"]


def test_a_resident_waiting_for_a_person_still_gets_the_routes(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "0")) == ["handoff_open"]
    assert keys(converse(resident, db, "i cant breathe and my chest hurts")) == [
        "safety_medical_emergency",
        "safety_team_open",
    ]


def test_flagged_conversations_come_first_and_only_a_practitioner_clears_them_with_a_note(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    auth = {"Authorization": f"Bearer {PRACTITIONER_TOKEN}"}
    waiting = Resident(gateway)
    converse(waiting, db, "0")  # waiting for a person, no flag, and earlier
    flagged = Resident(gateway)
    converse(flagged, db, "he is outside my door with a knife")
    flagged_id = conversation_of(db, flagged)["id"]
    api = gateway.base_url + "/api/conversations"
    assert gateway.client.get(api).status_code == 401
    queue = gateway.client.get(api, headers=auth).json()
    assert queue[0]["safety_flag"] is not None
    assert [c["id"] for c in queue].index(flagged_id) < [c["id"] for c in queue].index(
        conversation_of(db, waiting)["id"]
    )
    clear = f"{api}/{flagged_id}/safety/clear"
    admin, other = make_account(healthy, "admin"), make_account(healthy)
    assert gateway.client.post(clear, headers=auth, json={"by": admin.username}).status_code == 422
    note = "Called her back, she is safe."
    for by in (other.username, "Amina"):  # not the conversation's practitioner; no such account
        refused = gateway.client.post(clear, headers=auth, json={"by": by, "note": note})
        assert refused.status_code == 403
    cleared = gateway.client.post(clear, headers=auth, json={"by": admin.username, "note": note})
    assert cleared.status_code == 200 and cleared.json()["safety_flag"] is None
    again = gateway.client.post(clear, headers=auth, json={"by": admin.username, "note": "again"})
    assert again.status_code == 409
    events = db.rows(
        "SELECT actor, action FROM audit_events WHERE conversation_id = :c ORDER BY id", c=flagged_id
    )
    assert [(e["actor"], e["action"]) for e in events] == [
        ("safety screen", "safety_flag_raised"),
        (admin.username, "safety_flag_cleared"),
    ]


@functools.cache
def _understanding() -> Understanding:
    return Understanding.load(str(ROOT / "models" / "safety-semantic.npz"))


def _by_meaning_only(kind: str) -> list[str]:
    """English examples of a crisis kind that the semantic net reads and the phrases miss."""
    texts = yaml.safe_load((ROOT / "safety" / "semantic" / "en.yml").read_text(encoding="utf-8"))[kind]
    understanding = _understanding()
    assert understanding.embedder is not None and understanding.status == "ok"
    vectors = understanding.embedder.embed(texts)
    return [t for t, v in zip(texts, vectors, strict=True) if not screen(t) and understanding.crisis_kinds(v)]


def test_what_only_the_meaning_shows_gets_the_numbers_at_once_and_the_bot_still_answers(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    found = _by_meaning_only("suicide_self_harm")
    assert found, "every example is caught by the phrases: this test needs one that is not"
    resident = Resident(gateway)
    # (A holding reply may come first when the machine is busy.)
    replies = [reply for reply in converse(resident, db, found[0]) if reply["key"] != "holding"]
    assert keys(replies)[0] == "safety_concern"
    assert len(replies) >= 2  # and the bot's own answer to the message
    assert "999" in replies[0]["body"] and "116 123" in replies[0]["body"]
    conversation = conversation_of(db, resident)
    # Not silenced: the net is wider than the phrases, and a false alarm must not leave the
    # resident waiting for a person; the team sees the concern in the audit trail.
    assert conversation["owner"] == "bot" and conversation["safety_flag"] is None
    notes = db.rows(
        "SELECT note FROM audit_events WHERE action = 'safety_concern' AND conversation_id = :c",
        c=conversation["id"],
    )
    assert [row["note"] for row in notes] == ["suicide_self_harm"]
    # The resident can still talk, and reach a person.
    assert keys(converse(resident, db, "0"))[0] != "safety_concern"


def test_the_numbers_go_out_while_the_bot_is_down(healthy: Stack, gateway: Gateway, db: Database) -> None:
    found = _by_meaning_only("suicide_self_harm")
    resident = Resident(gateway)
    healthy.stop_service("rasa")
    try:
        resident.send(found[-1])
        wait_for(
            lambda: [m for m in resident.outbox() if m["key"] == "safety_concern"] or None,
            20,
            what="the concern message with the bot down",
        )
    finally:
        healthy.start_service("rasa")


def test_the_urgent_lane_reads_the_meaning_whatever_the_main_queue_and_it_is_sent_once(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    found = _by_meaning_only("suicide_self_harm")
    resident = Resident(gateway)
    healthy.stop_service("worker")  # no bot turn at all: as behind a long backlog
    try:
        resident.send(found[len(found) // 2])
        wait_for(
            lambda: [m for m in resident.outbox() if m["key"] == "safety_concern"] or None,
            20,
            what="the concern message from the urgent lane alone",
        )
    finally:
        healthy.start_service("worker")
    # The turn then answers the message, with the lane's embedding, and no second concern.
    wait_for(
        lambda: [m for m in resident.outbox() if m["key"] not in ("safety_concern", "holding")] or None,
        40,
        what="the bot's answer",
    )
    assert [m["key"] for m in resident.outbox()].count("safety_concern") == 1


def test_an_ordinary_message_that_mentions_suicide_is_not_an_alarm(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    text = "not suicidal or anything, I just need help with my gas bill, it's huge"
    understanding = _understanding()
    assert understanding.embedder is not None
    assert understanding.crisis_kinds(understanding.embedder.embed([text])[0]) == []
    resident = Resident(gateway)
    replies = converse(resident, db, text)
    assert "safety_concern" not in keys(replies)
    assert not any(key.startswith("safety_") for key in keys(replies))
    assert conversation_of(db, resident)["safety_flag"] is None


def test_in_the_inbox_a_flag_is_shown_first_and_cleared_only_with_a_note(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    waiting = Resident(gateway)
    converse(waiting, db, "0")
    flagged = Resident(gateway)
    converse(flagged, db, "he is outside my door with a knife")
    assert unanswered(flagged, db, "sorry you misunderstood, I am fine") == []
    cid = conversation_of(db, flagged)["id"]
    assert conversation_of(db, flagged)["safety_flag"] == "immediate_danger"  # "I'm fine" clears nothing
    account = make_account(healthy, name="Amina Bello")
    inbox = logged_in(gateway.base_url, account)
    queue = inbox.get("/inbox").text
    row = queue.index(f'data-conversation="{cid}"')
    assert row < queue.index(f'data-conversation="{conversation_of(db, waiting)["id"]}"')
    assert "Safety: Immediate danger" in queue[row : queue.index("</li>", row)]
    assert 'class="row flagged"' in queue[row - 40 : row]
    # Only the practitioner who has the conversation (or an admin) clears its flag: claim it first.
    assert "claim this conversation first" in inbox.get(f"/inbox/conversations/{cid}").text
    assert inbox.post(f"/inbox/conversations/{cid}/claim").status_code == 303
    page = inbox.get(f"/inbox/conversations/{cid}").text
    assert "Clear the safety flag" in page
    no_note = inbox.post(f"/inbox/conversations/{cid}/safety/clear", {"note": " "})
    assert no_note.status_code == 422 and conversation_of(db, flagged)["safety_flag"] == "immediate_danger"
    done = inbox.post(
        f"/inbox/conversations/{cid}/safety/clear", {"note": "Spoke to her by phone; she is safe."}
    )
    assert done.status_code == 303 and conversation_of(db, flagged)["safety_flag"] is None
    [event] = db.rows(
        "SELECT note FROM audit_events"
        " WHERE conversation_id = :c AND action = 'safety_flag_cleared' AND actor = :a",
        c=cid,
        a=account.username,
    )
    assert event["note"] == "Spoke to her by phone; she is safe."
