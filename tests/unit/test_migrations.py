"""Every migration runs up and down, and the models agree with what the migrations build.

On a SQLite file here; MIGRATION_TEST_DATABASE_URL (an empty PostgreSQL database) runs the same
on PostgreSQL. The database is migrated from nothing, so never point it at one that matters.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from api.db.models import Base
from api.db.session import async_url, make_engine
from scripts.stack import ROOT


def _url(tmp_path: Path, which: str) -> str:
    if which == "sqlite":
        return f"sqlite:///{tmp_path}/migrations.db"
    url = os.environ.get("MIGRATION_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("no MIGRATION_TEST_DATABASE_URL")
    return url


def _alembic(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", async_url(url))
    config.attributes["configure_logger"] = False
    return config


def _run(url: str, work: Any) -> Any:
    async def run() -> Any:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"render_as_batch": True})
    return list(compare_metadata(context, Base.metadata))


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_an_empty_database_goes_up_down_and_up_again(tmp_path: Path, which: str) -> None:
    url = _url(tmp_path, which)
    config = _alembic(url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert _run(url, _tables) == set(Base.metadata.tables)
    command.downgrade(config, "base")
    assert _run(url, _tables) == set()
    command.upgrade(config, "head")
    assert _run(url, _tables) == set(Base.metadata.tables)


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_the_models_and_the_migrations_agree(tmp_path: Path, which: str) -> None:
    """What autogenerate would write after the last migration: nothing."""
    url = _url(tmp_path, which)
    config = _alembic(url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert _run(url, _differences) == []


def test_the_migrations_are_one_line_of_history() -> None:
    """One head and no branches: two sessions' migrations with the same parent would fork it."""
    scripts = ScriptDirectory.from_config(_alembic("sqlite:///unused.db"))
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)
