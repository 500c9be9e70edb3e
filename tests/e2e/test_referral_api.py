"""The practitioners' referral API over real HTTP, and what the resident is told."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from api.contact_windows import next_allowed
from scripts.stack import Stack
from tests.conftest import PRACTITIONER_TOKEN
from tests.support import (
    LONG_AGO,
    Database,
    Gateway,
    Resident,
    complete_referral,
    converse,
    keys,
    release_deferred,
    wait_for,
)

pytestmark = pytest.mark.stack

AUTH = {"Authorization": f"Bearer {PRACTITIONER_TOKEN}"}


def referral_from(
    gateway: Gateway, db: Database, resident: Resident, ways: str = "1 3", times: str = "4"
) -> str:
    # Contact ways "1 3" = text message and phone call; "2" = WhatsApp only.
    return complete_referral(resident, db, ways, times)


def api(gateway: Gateway, method: str, path: str, **kwargs: object) -> httpx.Response:
    headers = kwargs.pop("headers", AUTH)
    return gateway.client.request(
        method, gateway.base_url + "/api/referrals" + path, headers=headers, **kwargs
    )  # type: ignore[arg-type]


def test_the_api_needs_the_practitioner_token(healthy: Stack, gateway: Gateway) -> None:
    assert api(gateway, "GET", "", headers={}).status_code == 401
    assert api(gateway, "GET", "", headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    assert api(gateway, "GET", "").status_code == 200


def test_new_referrals_are_listed_accepted_and_the_resident_told(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    reference = referral_from(gateway, db, resident)
    listed = api(gateway, "GET", "", params={"status": "new"}).json()
    assert reference in [r["reference"] for r in listed]
    detail = api(gateway, "GET", "/" + reference.lower().replace("-", " ")).json()
    assert detail["answers"]["first_name"] == "Sam" and detail["history"][0]["action"] == "created"

    before = len(resident.outbox())
    decided = api(gateway, "POST", f"/{reference}/accept", json={"by": "Amina (link worker)"})
    assert decided.status_code == 200 and decided.json()["resident_told"] is True
    release_deferred(db, resident.number)  # "any time" is 09:00 to 21:00 in London
    told = resident.wait_replies(before + 1, timeout=45)[before:]
    assert keys(told) == ["referral_accepted"] and reference in told[0]["body"]
    assert api(gateway, "GET", f"/{reference}").json()["status"] == "accepted"
    # Accepting twice is refused, and nothing more is sent.
    assert api(gateway, "POST", f"/{reference}/accept", json={"by": "Amina"}).status_code == 409
    assigned = api(gateway, "POST", f"/{reference}/assign", json={"by": "Amina", "to": "Joe"})
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "Joe"
    assert api(gateway, "POST", f"/{reference}/close", json={"by": "Joe"}).json()["status"] == "closed"
    assert len(resident.outbox()) == before + 1
    status = converse(resident, db, "what is happening with my referral")
    assert keys(status) == ["referral_status_closed"]


def test_a_decline_tells_the_reason_in_the_residents_language(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    converse(resident, db, "polski")  # chooses Polish
    reference = referral_from(gateway, db, resident)
    before = len(resident.outbox())
    refused = api(gateway, "POST", f"/{reference}/decline", json={"by": "Amina", "reason": "no reason"})
    assert refused.status_code == 422
    decided = api(gateway, "POST", f"/{reference}/decline", json={"by": "Amina", "reason": "other_service"})
    assert decided.status_code == 200
    release_deferred(db, resident.number)
    [told] = resident.wait_replies(before + 1, timeout=45)[before:]
    assert told["key"] == "referral_declined" and reference in told["body"]
    assert "Another service" not in told["body"]  # Polish, not English
    status = converse(resident, db, "co z moim skierowaniem?")
    assert keys(status) == ["referral_status_declined"]


def test_no_message_on_a_channel_the_resident_did_not_choose(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    reference = referral_from(gateway, db, resident, ways="2")  # WhatsApp only; this is SMS
    before = len(resident.outbox())
    decided = api(gateway, "POST", f"/{reference}/accept", json={"by": "Amina"}).json()
    assert decided["resident_told"] is False and "sms" in decided["phone_instead"]
    wait_for(lambda: api(gateway, "GET", f"/{reference}").json()["status"] == "accepted", 5)
    assert len(resident.outbox()) == before


def test_bad_requests_get_clear_answers_not_errors(healthy: Stack, gateway: Gateway) -> None:
    assert api(gateway, "GET", "/NOPE-00").status_code == 404
    assert api(gateway, "POST", "/NOPE-00/accept", json={"by": "x"}).status_code == 404
    assert api(gateway, "GET", "", params={"status": "lost"}).status_code == 422
    assert api(gateway, "GET", "", params={"limit": "100000"}).status_code == 422
    assert api(gateway, "POST", "/ABC-DEF/accept", content=b"not json").status_code == 422
    assert api(gateway, "POST", "/ABC-DEF/accept", json={"by": "", "extra": 1}).status_code == 422


def test_a_decision_waits_for_the_time_the_resident_chose(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    # Choose a window that does not contain the present moment (1 morning, 3 evening).
    now_in_morning = next_allowed(datetime.now(UTC), ["morning"]) is None
    resident = Resident(gateway)
    reference = referral_from(gateway, db, resident, times="3" if now_in_morning else "1")
    before = len(resident.outbox())
    assert api(gateway, "POST", f"/{reference}/accept", json={"by": "Amina"}).json()["resident_told"] is True
    [waiting] = wait_for(
        lambda: [m for m in db.messages_of(resident.number) if m["catalog_key"] == "referral_accepted"], 10
    )
    assert waiting["not_before"] is not None and waiting["status"] == "pending"
    time.sleep(2)
    assert len(resident.outbox()) == before
    # The safe time comes: the recovery sweep sends it.
    db.execute("UPDATE messages SET not_before = :t WHERE id = :i", t=LONG_AGO, i=waiting["id"])
    sent = resident.wait_replies(before + 1, timeout=45)[before:]
    assert keys(sent) == ["referral_accepted"]
