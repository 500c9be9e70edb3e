"""No personal or health data in any process's log, after a real conversation with all of it.

The resident sends their phone number (as the sender), a name, a date of birth, a postcode,
their own words about their health, and a crisis message; then every log file the system
wrote (gateway, worker, Rasa, action server, Redis) is searched for each of them.
"""

from __future__ import annotations

import pytest

from scripts.stack import Stack
from tests.support import Database, Gateway, Resident, converse

pytestmark = pytest.mark.stack

NAME = "Quillonius"
SURNAME = "Brackenthwaite"
STORY = "my xylophonic cardiomyopathy makes me breathless and sad"
CRISIS = "i want to kill myself because of the xylophonic pain"


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
    ]
    logs = {path.name: path.read_text(errors="replace") for path in healthy.log_dir.glob("*.log")}
    assert {"gateway.log", "worker.log", "rasa.log", "actions.log"} <= set(logs)
    found = {
        (name, secret) for name, text in logs.items() for secret in secrets if secret.lower() in text.lower()
    }
    assert found == set()
