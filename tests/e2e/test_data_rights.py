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
    assert keys(converse(resident, db, "please delete my data")) == ["erasure_confirm"]
    assert keys(converse(resident, db, "yes")) == ["erasure_requested"]
    assert keys(converse(resident, db, "delete all my details")) == ["erasure_confirm"]
    assert keys(converse(resident, db, "yes please")) == ["erasure_requested"]
    [request] = [r for r in api(gateway, "GET", "/erasure-requests", params={"status": "pending"}).json()]
    assert (
        db.rows("SELECT contact_id FROM erasure_requests WHERE id = :i", i=request["id"])[0]["contact_id"]
        == contact["id"]
    )

    exported = api(gateway, "POST", "/residents/export", json={"phone": resident.number})
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    assert exported.headers["cache-control"] == "no-store"
    assert exported.headers["content-type"] == "application/json"
    data = exported.json()
    assert (
        data["contact"]["phone"] == resident.number and data["referrals"][0]["answers"]["first_name"] == "Sam"
    )
    assert "my rent is behind" in [m["body"] for m in data["messages"]]
    # The deprecated GET answers the same, for one release.
    old = api(gateway, "GET", "/residents/export", params={"phone": resident.number})
    assert old.status_code == 200 and old.headers["cache-control"] == "no-store"
    assert old.json() == data

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
    assert api(gateway, "POST", "/residents/export", json={"phone": resident.number}).status_code == 404
    # Texting again starts afresh.
    assert keys(converse(resident, db, "hello")) == ["greet"]


def test_data_rights_need_the_token_and_good_input(healthy: Stack, gateway: Gateway) -> None:
    assert gateway.client.get(gateway.base_url + "/api/erasure-requests").status_code == 401
    assert api(gateway, "GET", "/erasure-requests", params={"status": "lost"}).status_code == 422
    assert api(gateway, "POST", "/erasure-requests/999999/carry-out", json={"by": "x"}).status_code == 404
    assert api(gateway, "POST", "/residents/export", json={"phone": "+447911000000"}).status_code == 404
    assert (
        gateway.client.post(
            gateway.base_url + "/api/residents/export", json={"phone": "+447911000000"}
        ).status_code
        == 401
    )


@pytest.mark.parametrize("phone", ["not a number", "99", "+44 7911", "0" * 64])
def test_a_bad_phone_gets_a_clear_422(healthy: Stack, gateway: Gateway, phone: str) -> None:
    """Before: a GET with the number in the query string (kept by proxies and logs); a bad one got 404."""
    answer = api(gateway, "POST", "/residents/export", json={"phone": phone})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("This is not a phone number: give it as +44")
    assert phone not in answer.text
    assert api(gateway, "GET", "/residents/export", params={"phone": phone}).status_code == 422


@pytest.mark.parametrize(
    "body",
    [{}, {"phone": ""}, {"phone": "+44" + "1" * 62}, {"phone": 447911123456}, {"phone": "x", "more": 1}],
)
def test_a_malformed_export_body_is_refused(
    healthy: Stack, gateway: Gateway, body: dict[str, object]
) -> None:
    assert api(gateway, "POST", "/residents/export", json=body).status_code == 422


def test_the_export_by_query_string_is_marked_deprecated(healthy: Stack, gateway: Gateway) -> None:
    schema = gateway.client.get(gateway.base_url + "/openapi.json").json()
    operations = schema["paths"]["/api/residents/export"]
    assert operations["get"]["deprecated"] is True
    assert not operations["post"].get("deprecated")
    assert operations["post"]["requestBody"]["required"] is True
    assert [p["name"] for p in operations["post"].get("parameters", [])] == []
