"""`make setup` writes random internal secrets into .env, never over one someone set."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

from scripts.env_secrets import GENERATED, fill
from scripts.stack import ROOT
from secret_strength import weakness


def test_missing_empty_and_development_secrets_get_strong_random_values(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("ENVIRONMENT=development\nREDIS_PASSWORD=\nRASA_TOKEN=dev-only-rasa-token-change-me\n")
    subprocess.run([sys.executable, "-m", "scripts.env_secrets", str(env)], cwd=ROOT, check=True)
    values = dotenv_values(env)
    assert values["ENVIRONMENT"] == "development"
    for name in GENERATED:
        assert values[name] and weakness(values[name]) is None, name
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    # Run again (make setup does, every time): nothing changes.
    before = env.read_text()
    subprocess.run([sys.executable, "-m", "scripts.env_secrets", str(env)], cwd=ROOT, check=True)
    assert env.read_text() == before


def test_a_value_someone_set_is_kept() -> None:
    text, done = fill("REDIS_PASSWORD=mine-on-purpose\nRASA_TOKEN='also-mine'\n")
    assert "REDIS_PASSWORD=mine-on-purpose" in text and "RASA_TOKEN='also-mine'" in text
    assert done == ["ACTION_SERVER_TOKEN"]


def test_two_setups_never_share_a_secret() -> None:
    first, second = dotenv_values_of(fill("")[0]), dotenv_values_of(fill("")[0])
    assert all(first[name] != second[name] for name in GENERATED)


def dotenv_values_of(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_env_is_not_committed() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0
