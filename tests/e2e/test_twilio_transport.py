"""Replies through the real twilio SDK, to a local fake of Twilio's Messages API."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from arq import create_pool

from api.queue import DELIVER_CONVERSATION, redis_settings
from scripts.stack import ROOT, Stack, StackConfig, free_port, http_ok
from tests.inbox_support import logged_in, make_account
from tests.reminder_support import book, daytime, make_due, reminder_rows
from tests.support import Database, Gateway, Resident, release_deferred, wait_for

pytestmark = pytest.mark.stack

ACCOUNT = "AC" + "7" * 32
FROM_SMS = "+447700100200"
FROM_WHATSAPP = "+447700100300"


class FakeTwilio:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(base_url=url, timeout=10)

    def sent_to(self, address: str) -> list[dict[str, Any]]:
        return [m for m in self.client.get("/_fake/sent").json() if m["To"] == address]

    def lookups(self) -> int:
        return int(self.client.get("/_fake/lookups").json()["count"])

    def fail_next(self, status: int, code: int, times: int = 1) -> None:
        self.client.post(
            "/_fake/fail", json={"status": status, "code": code, "times": times}
        ).raise_for_status()


@pytest.fixture(scope="module")
def fake_twilio(stack: Stack) -> Iterator[FakeTwilio]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.twilio_api",
            "--port",
            str(port),
            "--account-sid",
            ACCOUNT,
            "--auth-token",
            stack.env["TWILIO_AUTH_TOKEN"],
        ],
        cwd=ROOT,
    )
    try:
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/_fake/health"), 20, what="fake Twilio")
        yield FakeTwilio(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def twilio_stack(stack: Stack, fake_twilio: FakeTwilio) -> Iterator[Stack]:
    """A second gateway and worker in Twilio mode, sharing Redis, Rasa and the action server."""
    var = stack.config.var_dir / "twilio-mode"
    system = Stack(
        StackConfig(
            env={
                **{
                    k: stack.env[k]
                    for k in (
                        "TWILIO_AUTH_TOKEN",
                        "PUBLIC_BASE_URL",
                        "ENVIRONMENT",
                        "RASA_TOKEN",
                        "WHATSAPP_TEMPLATES",
                        "PRACTITIONER_API_TOKEN",
                    )
                },
                "DATABASE_URL": f"sqlite:///{var}/app.db",
                "QUEUE_NAME": "test:twilio-queue",
                "TRANSPORT": "twilio",
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_FROM_SMS": FROM_SMS,
                "TWILIO_FROM_WHATSAPP": FROM_WHATSAPP,
                "TWILIO_API_BASE_URL": fake_twilio.url,
                "SEND_MAX_ATTEMPTS": "4",
                "RETRY_MAX_DELAY": "1",
                "RECOVERY_AFTER": "5",
            },
            var_dir=var,
            gateway_port=free_port(),
            rasa_port=stack.config.rasa_port,
            actions_port=stack.config.actions_port,
            # Its own Redis database: arq's job keys (the recovery sweep's cron ids among them)
            # are not named by queue, so two systems on one database would run each other's.
            redis_url=stack.env["REDIS_URL"].rsplit("/", 1)[0] + "/1",
        )
    )
    try:
        system.migrate()
        system.start(["gateway", "worker"])
        yield system
    finally:
        system.stop()


@pytest.fixture
def gw(twilio_stack: Stack, gateway: Gateway) -> Gateway:
    return Gateway(base_url=twilio_stack.urls()["gateway"], public_url=gateway.public_url)


@pytest.fixture
def tdb(twilio_stack: Stack) -> Database:
    return Database(twilio_stack.env["DATABASE_URL"])


def _outbound(db: Database, number: str) -> list[dict[str, Any]]:
    return [m for m in db.messages_of(number) if m["direction"] == "out"]


def test_a_reply_goes_out_through_the_twilio_sdk(gw: Gateway, tdb: Database, fake_twilio: FakeTwilio) -> None:
    resident = Resident(gw)
    resident.send("hello")
    sent = wait_for(lambda: fake_twilio.sent_to(resident.number), 10, what="a message at the fake")
    assert len(sent) == 1
    assert sent[0]["From"] == FROM_SMS
    assert "free local support" in sent[0]["Body"]
    out = wait_for(lambda: [m for m in _outbound(tdb, resident.number) if m["provider_sid"]], 5, what="sid")[
        0
    ]
    assert out["provider_sid"] == sent[0]["sid"]
    assert (out["status"], out["provider_status"]) == ("with_provider", "queued")
    assert sent[0]["StatusCallback"] == f"{gw.public_url}/twilio/status?m={out['id']}"
    # /dev/outbox exists only with the console transport.
    assert gw.client.get(gw.base_url + "/dev/outbox", params={"to": resident.number}).status_code == 404


def test_a_whatsapp_reply_goes_from_the_whatsapp_sender(gw: Gateway, fake_twilio: FakeTwilio) -> None:
    resident = Resident(gw, whatsapp=True)
    resident.send("hi")
    sent = wait_for(lambda: fake_twilio.sent_to(f"whatsapp:{resident.number}"), 10, what="whatsapp message")
    assert sent[0]["From"] == f"whatsapp:{FROM_WHATSAPP}"


def test_provider_errors_are_retried_and_never_doubled(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio
) -> None:
    resident = Resident(gw)
    fake_twilio.fail_next(500, 20500, times=2)
    resident.send("hello")
    wait_for(lambda: fake_twilio.sent_to(resident.number), 15, what="the message after two failures")
    time.sleep(2)
    assert len(fake_twilio.sent_to(resident.number)) == 1
    out = _outbound(tdb, resident.number)
    assert len(out) == 1 and out[0]["attempts"] == 3 and out[0]["provider_status"] == "queued"


def test_a_refused_message_is_marked_failed_for_practitioners(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio
) -> None:
    resident = Resident(gw)
    fake_twilio.fail_next(400, 21211)  # Twilio: invalid 'To' number
    resident.send("hello")
    failed = wait_for(
        lambda: [m for m in _outbound(tdb, resident.number) if m["status"] == "failed"], 10, what="failed"
    )
    assert failed[0]["error_code"] == "21211"
    assert fake_twilio.sent_to(resident.number) == []


def test_an_interrupted_send_is_found_at_the_provider_not_sent_again(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio, twilio_stack: Stack
) -> None:
    resident = Resident(gw)
    resident.send("hello")
    sent = wait_for(lambda: fake_twilio.sent_to(resident.number), 10, what="first send")
    out = wait_for(lambda: [m for m in _outbound(tdb, resident.number) if m["provider_sid"]], 5, what="sid")[
        0
    ]
    # As if the worker died after Twilio took the message but before we stored its SID.
    tdb.execute(
        "UPDATE messages SET status = 'handing_over', provider_sid = NULL, provider_status = NULL"
        " WHERE id = :i",
        i=out["id"],
    )

    async def enqueue() -> None:
        pool = await create_pool(
            redis_settings(twilio_stack.env["REDIS_URL"]), default_queue_name=twilio_stack.env["QUEUE_NAME"]
        )
        await pool.enqueue_job(DELIVER_CONVERSATION, out["conversation_id"])
        await pool.aclose()

    asyncio.run(enqueue())
    wait_for(
        lambda: tdb.rows("SELECT provider_sid FROM messages WHERE id = :i", i=out["id"])[0]["provider_sid"],
        10,
        what="SID found again",
    )
    time.sleep(1)
    assert len(fake_twilio.sent_to(resident.number)) == 1
    assert (
        tdb.rows("SELECT provider_sid FROM messages WHERE id = :i", i=out["id"])[0]["provider_sid"]
        == sent[0]["sid"]
    )


def test_a_lookup_never_takes_another_message_with_the_same_words_for_this_one(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio, twilio_stack: Stack
) -> None:
    resident = Resident(gw)
    for _ in range(2):
        resident.send("hello")
    wait_for(lambda: len(fake_twilio.sent_to(resident.number)) == 2, 15, what="two greetings")

    def both() -> list[dict[str, Any]] | None:
        sent = [m for m in _outbound(tdb, resident.number) if m["provider_sid"]]
        return sent if len(sent) == 2 else None

    first, second = wait_for(both, 5, what="both SIDs")
    assert first["body"] == second["body"]
    # The second never got to Twilio, and its hand-over was cut off.
    fake_twilio.client.post(f"/_fake/forget/{second['provider_sid']}").raise_for_status()
    tdb.execute(
        "UPDATE messages SET status = 'handing_over', provider_sid = NULL, provider_status = NULL"
        " WHERE id = :i",
        i=second["id"],
    )

    async def enqueue() -> None:
        pool = await create_pool(
            redis_settings(twilio_stack.env["REDIS_URL"]), default_queue_name=twilio_stack.env["QUEUE_NAME"]
        )
        await pool.enqueue_job(DELIVER_CONVERSATION, second["conversation_id"])
        await pool.aclose()

    asyncio.run(enqueue())
    # Found by its words, the first greeting was taken for it: never sent, and its SID clashed.
    again = wait_for(lambda: fake_twilio.sent_to(resident.number)[1:], 15, what="the second sent again")
    wanted = {"status": "with_provider", "provider_sid": again[0]["sid"]}
    wait_for(
        lambda: (
            tdb.rows("SELECT status, provider_sid FROM messages WHERE id = :i", i=second["id"]) == [wanted]
        ),
        5,
        what="the new SID recorded",
    )
    assert again[0]["sid"] != first["provider_sid"]


def test_twilios_own_sending_state_never_sends_or_looks_up_a_message_again(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio
) -> None:
    resident = Resident(gw)
    resident.send("hello")
    out = wait_for(lambda: [m for m in _outbound(tdb, resident.number) if m["provider_sid"]], 10, what="sid")[
        0
    ]
    lookups = fake_twilio.lookups()
    form = {"MessageSid": out["provider_sid"], "MessageStatus": "sending", "AccountSid": ACCOUNT}
    assert gw.post_signed(f"/twilio/status?m={out['id']}", form).status_code == 200
    # The next reply's delivery job reads the conversation's unsent messages. When Twilio's
    # "sending" was stored as our own, it took this one for a cut-off send and looked it up
    # at Twilio again and again, and the next reply never went.
    resident.send("thank you")
    wait_for(lambda: len(fake_twilio.sent_to(resident.number)) == 2, 15, what="the second reply")
    time.sleep(1)
    assert len(fake_twilio.sent_to(resident.number)) == 2
    assert fake_twilio.lookups() == lookups
    [first] = [m for m in _outbound(tdb, resident.number) if m["id"] == out["id"]]
    assert (first["status"], first["provider_status"]) == ("with_provider", "sending")


def test_outside_the_whatsapp_window_only_an_approved_template_goes(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio, twilio_stack: Stack
) -> None:
    resident = Resident(gw, whatsapp=True)
    resident.send("0")
    address = f"whatsapp:{resident.number}"
    wait_for(lambda: fake_twilio.sent_to(address), 10, what="the handoff reply")
    [row] = tdb.rows(
        "SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    cid = row["id"]
    # The resident's last message was 25 hours ago: WhatsApp's window has closed.
    tdb.execute(
        "UPDATE conversations SET last_inbound_at = :t WHERE id = :i",
        t=datetime.now(UTC) - timedelta(hours=25),
        i=cid,
    )
    inbox = logged_in(gw.base_url, make_account(twilio_stack))
    page = inbox.get(f"/inbox/conversations/{cid}")
    assert "WhatsApp window closed" in page.text
    refused = inbox.post(f"/inbox/conversations/{cid}/reply", {"text": "Are you free to talk?"})
    assert refused.status_code == 409
    assert "only an approved template" in refused.text and "Are you free to talk?" in refused.text
    no_template = inbox.post(f"/inbox/conversations/{cid}/reply", {"canned": "canned_hello"})
    assert no_template.status_code == 409
    assert (
        inbox.post(f"/inbox/conversations/{cid}/reply", {"canned": "canned_wait", "once": "t1"}).status_code
        == 303
    )
    release_deferred(tdb, resident.number)  # a late reply waits for waking hours; the suite may run at night
    sent = wait_for(lambda: fake_twilio.sent_to(address)[1:], 20, what="the template at the fake")
    assert len(sent) == 1
    assert sent[0]["ContentSid"] == "HXtestwaittemplate0000000000000000"
    assert "Body" not in sent[0]


@pytest.mark.parametrize(("ways", "expect_sms"), [(["sms", "whatsapp"], True), (["whatsapp"], False)])
def test_a_reminder_refused_by_whatsapp_goes_by_sms_only_where_the_resident_allowed_sms(
    gw: Gateway,
    tdb: Database,
    fake_twilio: FakeTwilio,
    twilio_stack: Stack,
    ways: list[str],
    expect_sms: bool,
) -> None:
    resident = whatsapp_resident_who_chose(gw, tdb, fake_twilio, ways)
    address = f"whatsapp:{resident.number}"
    booked = book(gw, resident.number)
    release_deferred(tdb, resident.number)
    wait_for(lambda: len(fake_twilio.sent_to(address)) >= 2, 60, what="the booking notice")
    first = reminder_rows(tdb, appointment_id=booked["id"])[0]
    daytime(twilio_stack)
    fake_twilio.fail_next(400, 63016)  # WhatsApp cannot deliver this one
    make_due(twilio_stack, tdb, first["id"])
    refused = wait_for(
        lambda: [
            m
            for m in _outbound(tdb, resident.number)
            if m["catalog_key"] == "appt_reminder" and m["status"] == "failed"
        ],
        20,
        what="the refused WhatsApp reminder",
    )
    assert refused[0]["channel"] == "whatsapp" and refused[0]["error_code"] == "63016"
    if expect_sms:
        sms = wait_for(lambda: fake_twilio.sent_to(resident.number), 20, what="the SMS copy")
        assert "Reminder" in sms[0]["Body"] and sms[0]["From"] == FROM_SMS
    else:
        time.sleep(3)
        assert fake_twilio.sent_to(resident.number) == []


def whatsapp_resident_who_chose(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio, ways: list[str]
) -> Resident:
    """A WhatsApp resident with a confirmed referral that records these ways of contact."""
    resident = Resident(gw, whatsapp=True)
    resident.send("hello")
    address = f"whatsapp:{resident.number}"
    wait_for(lambda: fake_twilio.sent_to(address), 20, what="the bot's reply")
    [ids] = tdb.rows(
        "SELECT p.id AS contact, c.id AS conversation FROM contacts p JOIN conversations c"
        " ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    tdb.execute(
        "INSERT INTO referrals (reference, draft_id, contact_id, conversation_id, language, area,"
        " answers, status, created_at, updated_at)"
        " VALUES (:r, :d, :c, :v, 'en', 'newham', :a, 'accepted', :t, :t)",
        r=resident.number[-7:],
        d=resident.number,
        c=ids["contact"],
        v=ids["conversation"],
        a=json.dumps({"contact_ways": ways, "contact_times": ["any"]}),
        t=datetime.now(UTC),
    )
    return resident


def test_a_reminder_outside_the_whatsapp_window_goes_as_the_approved_template(
    gw: Gateway, tdb: Database, fake_twilio: FakeTwilio, twilio_stack: Stack
) -> None:
    resident = whatsapp_resident_who_chose(gw, tdb, fake_twilio, ["whatsapp"])
    address = f"whatsapp:{resident.number}"
    booked = book(gw, resident.number)
    release_deferred(tdb, resident.number)
    wait_for(lambda: len(fake_twilio.sent_to(address)) >= 2, 60, what="the booking notice")
    tdb.execute(
        "UPDATE conversations SET last_inbound_at = :t WHERE id = (SELECT c.id FROM conversations c"
        " JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p)",
        # 48 hours, not just over 24: daytime() may move the worker's clock up to 12 hours back.
        t=datetime.now(UTC) - timedelta(hours=48),
        p=resident.number,
    )
    daytime(twilio_stack)
    make_due(twilio_stack, tdb, reminder_rows(tdb, appointment_id=booked["id"])[0]["id"])
    sent = wait_for(lambda: fake_twilio.sent_to(address)[2:], 20, what="the template")
    assert sent[0]["ContentSid"] == "HXtestremindertemplate000000000000" and "Body" not in sent[0]
    variables = json.loads(sent[0]["ContentVariables"])
    assert variables["2"].startswith("It is at Green Street Surgery.") and ":" in variables["1"]
