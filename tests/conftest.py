"""Fixtures: the whole system, started once per test session on free loopback ports.

Set TEST_DATABASE_URL (for example postgresql://user:pw@127.0.0.1/wellbeing_test) to run
the suite against PostgreSQL; by default it uses a fresh SQLite file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.stack import APP_BIN, MODEL, ROOT, Stack, StackConfig, free_port
from tests.support import DEV_TOKEN, Database, Gateway, wait_for

#: What Twilio would call; deliberately not where the gateway listens, as behind a TLS proxy.
PUBLIC_BASE_URL = "https://wellbeing.example.org"


def _database_url(var: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{var}/app.db"


def _reset_database(stack: Stack) -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        subprocess.run(
            [str(APP_BIN / "alembic"), "downgrade", "base"],
            cwd=ROOT,
            env=stack.env,
            check=True,
            capture_output=True,
        )
    stack.migrate()


PRACTITIONER_TOKEN = "test-practitioner-token"


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def stack(var_dir: Path) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    config = StackConfig(
        env={
            "ENVIRONMENT": "test",
            "DATABASE_URL": _database_url(var_dir),
            "TWILIO_AUTH_TOKEN": DEV_TOKEN,
            "TWILIO_ACCOUNT_SID": "",
            "TRANSPORT": "console",
            "RASA_TOKEN": "test-rasa-token",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "QUEUE_NAME": "test:queue",
            # Short waits so outage tests finish quickly.
            # Above a first turn's time on a busy machine, so a quick answer never comes second.
            "HOLDING_REPLY_AFTER": "2.5",
            "RETRY_MAX_DELAY": "2",
            "RECOVERY_AFTER": "5",
            "BOT_TIMEOUT": "20",
            "PRACTITIONER_API_TOKEN": PRACTITIONER_TOKEN,
            "RETENTION_DAYS": "365",
            "BOT_MEMORY_DAYS": "7",
            "OPENING_HOURS_FILE": str(ROOT / "tests" / "fixtures" / "always_open.yml"),
            # Many logins from one address in the suite; the per-name limit is tested.
            "INBOX_LOGIN_IP_LIMIT": "1000",
            "WHATSAPP_TEMPLATES": (
                '{"canned_wait": "HXtestwaittemplate0000000000000000",'
                ' "appt_reminder": "HXtestremindertemplate000000000000"}'
            ),
        },
        var_dir=var_dir,
        gateway_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        redis_port=free_port(),
    )
    system = Stack(config)
    try:
        _reset_database(system)
        system.start()
        yield system
    finally:
        system.stop()


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Gateway:
    return Gateway(base_url=stack.urls()["gateway"], public_url=PUBLIC_BASE_URL)


@pytest.fixture(scope="session")
def db(stack: Stack) -> Database:
    return Database(stack.env["DATABASE_URL"])


@pytest.fixture
def healthy(stack: Stack, gateway: Gateway) -> Stack:
    """The stack, with every process up (a test before may have stopped one)."""
    stack.start()
    wait_for(
        lambda: gateway.client.get(gateway.base_url + "/healthz").status_code == 200, 60, what="healthz 200"
    )
    return stack
