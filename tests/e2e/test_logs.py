"""No personal or health data in any process's log, after a real conversation with all of it.

The resident sends their phone number (as the sender), a name, a date of birth, a postcode,
their own words about their health, and a crisis message; then every log file the system
wrote (gateway, worker, Rasa, action server, Redis) is searched for each of them.
"""

from __future__ import annotations

import pytest

from scripts.stack import Stack
from tests.inbox_support import logged_in, make_account
from tests.support import Database, Gateway, Resident, converse

pytestmark = pytest.mark.stack

NAME = "Quillonius"
SURNAME = "Brackenthwaite"
STORY = "my xylophonic cardiomyopathy makes me breathless and sad"
CRISIS = "i want to kill myself because of the xylophonic pain"
NOTE = "She mentioned the zebrafinch clinic; follow up"
REPLY = "I have looked at the marmalade-scheme grant for you"


def test_logs_hold_no_personal_or_health_data(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    for text in (
        "i want to ask for help",
        STORY,
        "7 8",
        "1",
        NAME,
        SURNAME,
        "14/02/1961",
        "E15 4HT",
        "Xylo Surgery",
    ):
        converse(resident, db, text)
    converse(resident, db, CRISIS)
    # A practitioner reads, notes and replies in the inbox.
    [row] = db.rows(
        "SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    inbox = logged_in(gateway.base_url, make_account(healthy))
    assert inbox.get(f"/inbox/conversations/{row['id']}").status_code == 200
    assert inbox.post(f"/inbox/conversations/{row['id']}/notes", {"body": NOTE}).status_code == 303
    before = len(resident.outbox())  # counted first: the reply may be sent before a count after
    assert (
        inbox.post(f"/inbox/conversations/{row['id']}/reply", {"text": REPLY, "once": "l1"}).status_code
        == 303
    )
    resident.wait_replies(before + 1)
    secrets = [
        resident.number,
        resident.number.lstrip("+"),
        resident.number[-9:],
        NAME,
        SURNAME,
        "xylophonic",
        "cardiomyopathy",
        "14/02/1961",
        "1961-02-14",
        "E15 4HT",
        "Xylo Surgery",
        "kill myself",
        "suicide_self_harm",
        "zebrafinch",
        "marmalade-scheme",
    ]
    logs = {path.name: path.read_text(errors="replace") for path in healthy.log_dir.glob("*.log")}
    assert {"gateway.log", "worker.log", "rasa.log", "actions.log"} <= set(logs)
    found = {
        (name, secret) for name, text in logs.items() for secret in secrets if secret.lower() in text.lower()
    }
    assert found == set()
