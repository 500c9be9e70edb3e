"""The urgent lane: crisis replies and holding replies never wait for the bot, a backlog, or
the story kept for the practitioner; out of hours the resident is told honestly when a person
will read it, and the on-call address is alerted through the real twilio SDK (to the fake)."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest

from scripts.stack import Stack, StackConfig, free_port
from tests.e2e.test_twilio_transport import ACCOUNT, FROM_SMS, FakeTwilio, fake_twilio  # noqa: F401
from tests.support import Database, Gateway, Resident, wait_for

pytestmark = pytest.mark.stack

CRISIS = "I want to kill myself"
ONCALL = "+447911000111"


def _replies(db: Database, number: str) -> list[dict[str, object]]:
    return [m for m in db.messages_of(number) if m["direction"] == "out"]


def _keys(db: Database, number: str) -> list[str]:
    return [str(m["catalog_key"]) for m in _replies(db, number)]


def _conversation(db: Database, number: str) -> dict[str, object]:
    return db.rows(
        "SELECT cv.* FROM conversations cv JOIN contacts c ON c.id = cv.contact_id WHERE c.phone = :p",
        p=number,
    )[0]


def test_a_crisis_is_answered_while_the_turns_wait_in_a_backlog(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """No worker takes the main queue (as in a backlog): the urgent lane still answers."""
    healthy.stop_service("worker")
    resident = Resident(gateway)
    try:
        started = time.monotonic()
        resident.send(CRISIS)
        replies = resident.wait_replies(2, timeout=8)
        took = time.monotonic() - started
        assert _keys(db, resident.number) == ["safety_suicide_self_harm", "safety_team_open"]
        assert "116 123" in replies[0]["body"]
        assert "usually within 2 hours" in replies[1]["body"]
        assert took < 8
        conversation = _conversation(db, resident.number)
        assert conversation["safety_flag"] == "suicide_self_harm"
        assert conversation["owner"] == "waiting"
    finally:
        healthy.start_service("worker")
    # The worker back: it finds the message handled and sends nothing more.
    time.sleep(2)
    assert len(_replies(db, resident.number)) == 2


def test_a_holding_reply_is_counted_from_arrival_during_a_backlog(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    healthy.stop_service("worker")
    resident = Resident(gateway)
    try:
        resident.send("hello")
        resident.send("are you there")
        held = resident.wait_replies(1, timeout=8)
        assert _keys(db, resident.number) == ["holding"]
        assert "999" in held[0]["body"]
        time.sleep(2.5)  # one holding reply per wait, not one a message
        assert _keys(db, resident.number) == ["holding"]
    finally:
        healthy.start_service("worker")
    # The answers follow once the turns run.
    wait_for(lambda: len(_replies(db, resident.number)) >= 3 or None, 30, what="the bot's answers")
    assert _keys(db, resident.number).count("holding") == 1


def test_a_crisis_is_answered_while_the_bot_hangs_and_the_story_is_kept_after(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """Rasa stopped mid-flight (SIGSTOP: connections hang, as under heavy load). The reply
    used to wait for the bot's memory (up to the bot timeout) before it went out."""
    resident = Resident(gateway)
    resident.send("hello")
    resident.wait_replies(1, timeout=20)
    healthy.signal_service("rasa", signal.SIGSTOP)
    try:
        started = time.monotonic()
        resident.send("I have got the tablets and I want to end my life tonight")
        wait_for(
            lambda: "safety_suicide_self_harm" in [m["key"] for m in resident.outbox()] or None,
            8,
            what="the urgent routes, handed to the transport",
        )
        assert time.monotonic() - started < 8
        assert _conversation(db, resident.number)["handoff_context"] is None  # the bot is not asked yet
    finally:
        healthy.signal_service("rasa", signal.SIGCONT)
    story = wait_for(
        lambda: _conversation(db, resident.number)["handoff_context"],
        60,
        what="the story, once the bot is back",
    )
    assert "at" in str(story)


def test_a_turn_in_flight_does_not_hand_a_flagged_conversation_back_to_the_bot(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """A resolved conversation: the bot is still answering an earlier message when the urgent
    lane flags it. That turn used to finish by moving "resolved" to the bot, over the lane's
    "waiting", so the resident's next messages went to the bot."""
    resident = Resident(gateway)
    resident.send("hello")
    resident.wait_replies(1, timeout=20)
    db.execute(
        "UPDATE conversations SET owner = 'resolved' "
        "WHERE contact_id = (SELECT id FROM contacts WHERE phone = :p)",
        p=resident.number,
    )
    healthy.signal_service("rasa", signal.SIGSTOP)
    try:
        resident.send("thank you")

        def asked() -> bool | None:
            inbound = [m for m in db.messages_of(resident.number) if m["direction"] == "in"]
            return inbound[-1]["attempts"] >= 1 or None  # the turn is waiting for the bot

        wait_for(asked, 10, what="the turn to ask the bot")
        resident.send(CRISIS)
        wait_for(lambda: _conversation(db, resident.number)["owner"] == "waiting" or None, 8, what="the flag")
    finally:
        healthy.signal_service("rasa", signal.SIGCONT)
    wait_for(
        lambda: (
            all(m["status"] == "processed" for m in db.messages_of(resident.number) if m["direction"] == "in")
            or None
        ),
        30,
        what="the turn in flight to finish",
    )
    time.sleep(0.5)
    conversation = _conversation(db, resident.number)
    assert (conversation["owner"], conversation["safety_flag"]) == ("waiting", "suicide_self_harm")


# -- out of hours, with an on-call address -------------------------------------------------


@pytest.fixture(scope="module")
def closed_system(stack: Stack, fake_twilio: FakeTwilio) -> Iterator[tuple[Gateway, Database]]:  # noqa: F811
    """A gateway and urgent lane only (no bot at all), in Twilio mode, with the team closed."""
    var = stack.config.var_dir / "closed"
    hours = var / "never_open.yml"
    var.mkdir(parents=True, exist_ok=True)
    hours.write_text(
        "usual_wait_minutes: 60\nbank_holidays: none\nweek:\n  monday: '09:00-09:00:01'\n", encoding="utf-8"
    )
    system = Stack(
        StackConfig(
            env={
                **{
                    k: stack.env[k]
                    for k in ("TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "ENVIRONMENT", "RASA_TOKEN")
                },
                "DATABASE_URL": f"sqlite:///{var}/app.db",
                "QUEUE_NAME": "test:closed-queue",
                "TRANSPORT": "twilio",
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_FROM_SMS": FROM_SMS,
                "TWILIO_API_BASE_URL": fake_twilio.url,
                "OPENING_HOURS_FILE": str(hours),
                "ONCALL_ALERT_TO": ONCALL,
                "HOLDING_REPLY_AFTER": "1.5",
            },
            var_dir=var,
            gateway_port=free_port(),
            rasa_port=free_port(),  # nothing listens: the bot is "down" throughout
            actions_port=free_port(),
            redis_url=stack.env["REDIS_URL"].rsplit("/", 1)[0] + "/2",
        )
    )
    try:
        system.migrate()
        system.start(["gateway", "urgent"])
        yield (
            Gateway(base_url=system.urls()["gateway"], public_url=stack.env["PUBLIC_BASE_URL"]),
            Database(system.env["DATABASE_URL"]),
        )
    finally:
        system.stop()


def test_out_of_hours_the_resident_is_told_when_and_on_call_is_alerted(
    closed_system: tuple[Gateway, Database],
    fake_twilio: FakeTwilio,  # noqa: F811
) -> None:
    gateway, db = closed_system
    resident = Resident(gateway)
    resident.send(CRISIS)
    sent = wait_for(
        lambda: found if len(found := fake_twilio.sent_to(resident.number)) >= 2 else None,
        10,
        what="the urgent routes",
    )
    bodies = [m["Body"] for m in sent]
    assert "116 123" in bodies[0]
    assert "not working now" in bodies[1] and "Monday" in bodies[1]
    assert not any("will read this" in body for body in bodies)  # no promise nobody keeps
    alert = wait_for(lambda: fake_twilio.sent_to(ONCALL), 10, what="the on-call alert")
    assert len(alert) == 1
    assert "suicide or self-harm" in alert[0]["Body"]
    assert "/inbox/conversations/" in alert[0]["Body"]
    assert CRISIS not in alert[0]["Body"] and resident.number not in alert[0]["Body"]
    audit = db.rows("SELECT action FROM audit_events WHERE action = 'oncall_alerted'")
    assert len(audit) == 1
    time.sleep(1)  # each flagged message's alert goes once
    assert len(fake_twilio.sent_to(ONCALL)) == 1


def test_with_the_bot_down_a_plain_message_gets_a_holding_reply(
    closed_system: tuple[Gateway, Database],
    fake_twilio: FakeTwilio,  # noqa: F811
) -> None:
    gateway, _ = closed_system
    resident = Resident(gateway)
    resident.send("can someone help me with my bills")
    held = wait_for(lambda: fake_twilio.sent_to(resident.number), 8, what="a holding reply")
    assert len(held) == 1 and "999" in held[0]["Body"]
