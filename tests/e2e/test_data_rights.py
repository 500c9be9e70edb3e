"""Erasure on request and export, through the webhook, the real bot and the admin API."""

from __future__ import annotations

import httpx
import pytest
import redis

from scripts.stack import Stack
from tests.conftest import PRACTITIONER_TOKEN
from tests.support import Database, Gateway, Resident, complete_referral, converse, keys

pytestmark = pytest.mark.stack

AUTH = {"Authorization": f"Bearer {PRACTITIONER_TOKEN}"}


def api(gateway: Gateway, method: str, path: str, **kwargs: object) -> httpx.Response:
    return gateway.client.request(method, gateway.base_url + "/api" + path, headers=AUTH, **kwargs)  # type: ignore[arg-type]


def test_delete_my_data_is_requested_then_carried_out_everywhere(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    complete_referral(resident, db, ways="1")
    [contact] = db.rows("SELECT id, uid FROM contacts WHERE phone = :p", p=resident.number)
    assert keys(converse(resident, db, "please delete my data")) == ["erasure_requested"]
    assert keys(converse(resident, db, "delete all my details")) == ["erasure_requested"]
    [request] = [r for r in api(gateway, "GET", "/erasure-requests", params={"status": "pending"}).json()]
    assert (
        db.rows("SELECT contact_id FROM erasure_requests WHERE id = :i", i=request["id"])[0]["contact_id"]
        == contact["id"]
    )

    exported = api(gateway, "GET", "/residents/export", params={"phone": resident.number})
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert (
        data["contact"]["phone"] == resident.number and data["referrals"][0]["answers"]["first_name"] == "Sam"
    )
    assert "my rent is behind" in [m["body"] for m in data["messages"]]

    with redis.Redis.from_url(healthy.env["REDIS_URL"]) as client:
        assert client.exists(f"rasa:tracker:{contact['uid']}")
        done = api(gateway, "POST", f"/erasure-requests/{request['id']}/carry-out", json={"by": "Admin Ada"})
        assert done.status_code == 200 and done.json()["status"] == "done"
        assert not client.exists(f"rasa:tracker:{contact['uid']}")
    removed = done.json()["removed"]
    assert removed["contacts"] == 1 and removed["referrals"] == 1 and removed["messages"] > 20
    for table, column in (("contacts", "phone"),):
        assert db.rows(f"SELECT * FROM {table} WHERE {column} = :p", p=resident.number) == []
    assert db.rows("SELECT * FROM referrals WHERE contact_id = :c", c=contact["id"]) == []
    # Only the anonymous record is left.
    [left] = db.rows("SELECT contact_id, done_by FROM erasure_requests WHERE id = :i", i=request["id"])
    assert left == {"contact_id": None, "done_by": "Admin Ada"}
    assert (
        api(gateway, "POST", f"/erasure-requests/{request['id']}/carry-out", json={"by": "x"}).status_code
        == 409
    )
    assert api(gateway, "GET", "/residents/export", params={"phone": resident.number}).status_code == 404
    # Texting again starts afresh.
    assert keys(converse(resident, db, "hello")) == ["greet"]


def test_data_rights_need_the_token_and_good_input(healthy: Stack, gateway: Gateway) -> None:
    assert gateway.client.get(gateway.base_url + "/api/erasure-requests").status_code == 401
    assert api(gateway, "GET", "/erasure-requests", params={"status": "lost"}).status_code == 422
    assert api(gateway, "POST", "/erasure-requests/999999/carry-out", json={"by": "x"}).status_code == 404
    assert api(gateway, "GET", "/residents/export", params={"phone": "not a number"}).status_code == 404
