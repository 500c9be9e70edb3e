"""The gateway end to end: real signed webhooks, the real bot, replies in the outbox."""

from __future__ import annotations

import concurrent.futures
import json
import time

import httpx
import pytest
import redis

from api.gateway.parsing import parse_form
from api.gateway.signature import sign
from api.understanding import STATUS_KEY
from scripts.stack import Stack, StackConfig, free_port
from tests.support import Database, Gateway, Resident, converse

pytestmark = pytest.mark.stack


def test_hello_gets_a_reply_within_3_seconds(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    started = time.monotonic()
    response = resident.send("hello")
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Response>" in response.text
    replies = resident.wait_replies(1, timeout=3)
    assert time.monotonic() - started < 3
    assert replies[0]["key"] == "greet"
    assert replies[0]["to"] == resident.number
    assert replies[0]["channel"] == "sms"
    assert "person" in replies[0]["body"]
    assert {"to", "channel", "body", "created_at"} <= set(replies[0])


def test_the_bot_keeps_each_conversation_whole_in_redis(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """bot/endpoints.yml names our own Redis tracker store (bot/stores.py). Were it not importable,
    Rasa would quietly keep conversations in memory, to be lost at its next restart."""
    resident = Resident(gateway)
    texts = ["hello", "what can you do", "thank you", "bye"]
    for text in texts:
        assert converse(resident, db, text)
    uid = db.rows("SELECT uid FROM contacts WHERE phone = :phone", phone=resident.number)[0]["uid"]
    with redis.Redis.from_url(healthy.env["REDIS_URL"]) as client:
        stored = client.get(f"rasa:tracker:{uid}")
    assert stored is not None
    events = json.loads(stored)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == texts
    # Saved whole: no event twice (the merge on save keeps each one once).
    assert len({json.dumps(e, sort_keys=True) for e in events}) == len(events)


def test_a_retried_delivery_is_answered_once(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    form = resident.form("hello")
    for _ in range(3):
        assert gateway.post_signed("/twilio/messages", form).status_code == 200
    resident.wait_replies(1)
    time.sleep(1.5)  # time enough for a second reply, if there were going to be one
    assert len(resident.outbox()) == 1
    inbound = [m for m in db.messages_of(resident.number) if m["direction"] == "in"]
    assert len(inbound) == 1


def test_unsigned_and_wrongly_signed_requests_get_403_and_nothing_is_stored(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    form = resident.form("hello")
    unsigned = gateway.client.post(gateway.base_url + "/twilio/messages", data=form)
    assert unsigned.status_code == 403
    wrong = gateway.post_signed("/twilio/messages", form, signature="bm90IGEgc2lnbmF0dXJl")
    assert wrong.status_code == 403
    # Signed for another URL (the internal address instead of PUBLIC_BASE_URL).
    elsewhere = sign(gateway.token, gateway.base_url + "/twilio/messages", form)
    assert gateway.post_signed("/twilio/messages", form, signature=elsewhere).status_code == 403
    # A field changed after signing.
    signature = sign(gateway.token, gateway.public_url + "/twilio/messages", form)
    tampered = {**form, "Body": "something else"}
    assert gateway.post_signed("/twilio/messages", tampered, signature=signature).status_code == 403
    time.sleep(0.5)
    assert db.messages_of(resident.number) == []
    assert db.rows("SELECT id FROM contacts WHERE phone = :p", p=resident.number) == []


def test_whatsapp_messages_are_answered_on_whatsapp(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway, whatsapp=True)
    resident.send("hiya")
    reply = resident.wait_replies(1)[0]
    assert reply["channel"] == "whatsapp"
    assert reply["to"] == resident.number  # stored as E.164, without the whatsapp: prefix
    conversation = db.rows(
        "SELECT c.channel FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    assert conversation == [{"channel": "whatsapp"}]


def test_the_channel_follows_the_residents_latest_message(healthy: Stack, gateway: Gateway) -> None:
    number = Resident(gateway).number
    Resident(gateway, number=number).send("hello")
    Resident(gateway, number=number).wait_replies(1)
    Resident(gateway, number=number, whatsapp=True).send("thanks")
    replies = Resident(gateway, number=number).wait_replies(2)
    assert [r["channel"] for r in replies] == ["sms", "whatsapp"]


def test_media_only_is_kept_for_the_practitioner_and_answered_kindly(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    picture = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    resident.send("", media=[(picture, "image/jpeg")])
    reply = resident.wait_replies(1)[0]
    assert reply["key"] == "media_received"
    inbound = next(m for m in db.messages_of(resident.number) if m["direction"] == "in")
    media = inbound["media"] if isinstance(inbound["media"], list) else json.loads(inbound["media"])
    assert media == [{"url": picture, "content_type": "image/jpeg"}]
    assert inbound["status"] == "processed"


def test_an_empty_message_gets_a_kind_answer(healthy: Stack, gateway: Gateway) -> None:
    resident = Resident(gateway)
    resident.send("   ")
    reply = resident.wait_replies(1)[0]
    assert reply["key"] == "empty_message"
    assert "person" in reply["body"]


def test_an_over_long_text_is_stored_whole_and_answered(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    text = "hello " + "I have a lot to say about my week. " * 120  # about 4,200 characters
    resident.send(text)
    replies = resident.wait_replies(2)
    assert replies[0]["key"] == "long_message"  # the notice first, then the bot's own answer
    assert replies[1]["key"] != "long_message"
    inbound = next(m for m in db.messages_of(resident.number) if m["direction"] == "in")
    assert inbound["body"] == text


def test_junk_bytes_and_unknown_fields_never_cause_a_5xx(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    form = resident.form("placeholder")
    form["SomeFieldTwilioAddsLater"] = "x"
    # Invalid UTF-8 in Body, signed as the gateway will decode it (U+FFFD).
    raw = "&".join(f"{k}={httpx.QueryParams({k: v})[k]}" for k, v in form.items() if k != "Body")
    raw_bytes = raw.encode() + b"&Body=hi+%FF%FE%00+there"
    decoded = parse_form(raw_bytes)
    signature = sign(gateway.token, gateway.public_url + "/twilio/messages", decoded)
    response = gateway.client.post(
        gateway.base_url + "/twilio/messages",
        content=raw_bytes,
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    resident.wait_replies(1)
    inbound = next(m for m in db.messages_of(resident.number) if m["direction"] == "in")
    assert inbound["body"] == "hi \ufffd\ufffd\ufffd there"


def test_a_malformed_sender_is_kept_but_cannot_be_answered(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    form = Resident(gateway).form("hello")
    form["From"] = "not-a-number"
    assert gateway.post_signed("/twilio/messages", form).status_code == 200
    rows = db.rows(
        "SELECT m.status, p.phone_valid FROM messages m JOIN conversations c ON m.conversation_id = c.id "
        "JOIN contacts p ON c.contact_id = p.id WHERE p.phone = 'not-a-number'"
    )
    assert rows and rows[0]["status"] == "unroutable" and not rows[0]["phone_valid"]


@pytest.mark.parametrize("body", [b"", b"%%%%", b"From=&Body=", b"\xff" * 100, b"a=1&" * 1000])
def test_garbage_requests_never_cause_a_5xx(healthy: Stack, gateway: Gateway, body: bytes) -> None:
    for path in ("/twilio/messages", "/twilio/status"):
        response = gateway.client.post(gateway.base_url + path, content=body)
        assert response.status_code == 403


def test_each_residents_messages_are_answered_in_order(healthy: Stack, gateway: Gateway) -> None:
    resident = Resident(gateway)
    for text in ("hello", "thank you", "bye"):
        resident.send(text)
    replies = resident.wait_replies(3)
    assert [r["key"] for r in replies] == ["greet", "thanks", "goodbye"]


def test_a_duplicate_reaching_two_gateway_processes_is_stored_once(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    second = Stack(
        StackConfig(
            env={
                k: healthy.env[k]
                for k in (
                    "DATABASE_URL",
                    "TWILIO_AUTH_TOKEN",
                    "PUBLIC_BASE_URL",
                    "QUEUE_NAME",
                    "TRANSPORT",
                    "ENVIRONMENT",
                    "RASA_TOKEN",
                )
            },
            var_dir=healthy.config.var_dir / "second",
            gateway_port=free_port(),
            rasa_port=healthy.config.rasa_port,
            actions_port=healthy.config.actions_port,
            redis_url=healthy.env["REDIS_URL"],
        )
    )
    second.start(["gateway"])
    try:
        other = Gateway(base_url=second.urls()["gateway"], public_url=gateway.public_url)
        residents = [Resident(gateway) for _ in range(10)]
        forms = [r.form("hello") for r in residents]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(
                    lambda args: args[0].post_signed("/twilio/messages", args[1]),
                    [(gw, f) for f in forms for gw in (gateway, other)],
                )
            )
        assert {c.status_code for c in codes} == {200}
        for resident in residents:
            resident.wait_replies(1)
        time.sleep(1)
        for resident in residents:
            assert len(resident.outbox()) == 1
            assert len([m for m in db.messages_of(resident.number) if m["direction"] == "in"]) == 1
    finally:
        second.stop()


def test_status_callbacks_out_of_order_never_move_a_message_back(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    resident.send("hello")
    reply = resident.wait_replies(1)[0]
    sid = db.rows("SELECT provider_sid FROM messages WHERE id = :i", i=reply["id"])[0]["provider_sid"]
    assert sid

    def status() -> str:
        [row] = db.rows("SELECT status, provider_status FROM messages WHERE id = :i", i=reply["id"])
        assert row["status"] == "with_provider"  # ours: Twilio's words never go in this column
        return str(row["provider_status"])

    def callback(state: str, twice: bool = False) -> None:
        form = {"MessageSid": sid, "MessageStatus": state, "AccountSid": "AC" + "1" * 32}
        for _ in range(2 if twice else 1):
            assert gateway.post_signed(f"/twilio/status?m={reply['id']}", form).status_code == 200

    callback("delivered", twice=True)
    assert status() == "delivered"
    callback("sent")
    callback("queued")
    assert status() == "delivered"
    callback("read")
    assert status() == "read"
    callback("delivered")
    assert status() == "read"
    # An unsigned callback changes nothing.
    form = {"MessageSid": sid, "MessageStatus": "failed"}
    assert gateway.client.post(gateway.base_url + "/twilio/status", data=form).status_code == 403
    assert status() == "read"


def test_a_failure_stays_failed_with_its_error_code_whatever_comes_after(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    resident.send("hello")
    reply = resident.wait_replies(1)[0]
    [row] = db.rows("SELECT provider_sid FROM messages WHERE id = :i", i=reply["id"])
    path = f"/twilio/status?m={reply['id']}"
    for state, code in (("undelivered", "30008"), ("delivered", ""), ("read", "")):
        form = {"MessageSid": row["provider_sid"], "MessageStatus": state, "ErrorCode": code}
        assert gateway.post_signed(path, form).status_code == 200
    [after] = db.rows("SELECT provider_status, error_code FROM messages WHERE id = :i", i=reply["id"])
    assert (after["provider_status"], after["error_code"]) == ("undelivered", "30008")
    # The outbox (like the inbox) shows the failure.
    assert [r["status"] for r in resident.outbox() if r["id"] == reply["id"]] == ["undelivered"]


def test_healthz_reports_every_component(healthy: Stack, gateway: Gateway) -> None:
    response = gateway.client.get(gateway.base_url + "/healthz")
    assert response.status_code == 200
    components = response.json()["components"]
    assert set(components) == {
        "database",
        "redis",
        "rasa",
        "action_server",
        "worker",
        "urgent_lane",
        "understanding",
        "transport",
    }
    assert all(part["ok"] for part in components.values())


def test_healthz_says_when_the_semantic_net_is_missing(healthy: Stack, gateway: Gateway) -> None:
    # What a worker writes at start-up when it could not load the net (api/understanding).
    with redis.Redis.from_url(healthy.env["REDIS_URL"]) as client:
        saved = client.get(STATUS_KEY)
        assert saved == b"ok"
        client.set(STATUS_KEY, "no semantic safety net (run make train)")
        try:
            response = gateway.client.get(gateway.base_url + "/healthz")
            assert response.status_code == 503
            part = response.json()["components"]["understanding"]
            assert part == {"ok": False, "error": "no semantic safety net (run make train)"}
        finally:
            client.set(STATUS_KEY, saved)


def test_the_outbox_answers_bad_numbers_clearly(healthy: Stack, gateway: Gateway) -> None:
    response = gateway.client.get(gateway.base_url + "/dev/outbox", params={"to": "not a number"})
    assert response.status_code == 422
    assert "phone number" in response.text
    assert gateway.client.get(gateway.base_url + "/dev/outbox").status_code == 422
