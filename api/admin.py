"""Inbox accounts, made by an admin at the command line (there is no sign-up page).

    python -m api.admin create-user --username sam --name "Sam Patel" [--role admin]
    python -m api.admin deactivate --username sam

The password is asked for (or read from stdin with --password-stdin); a new TOTP secret
is printed once, with the otpauth:// address to put into an authenticator app.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from redis.asyncio import Redis
from sqlalchemy import func, select

from api.config import get_settings
from api.db.models import Practitioner
from api.db.session import make_engine, make_sessionmaker
from api.inbox.access import ROLES
from api.inbox.credentials import hash_password, new_totp_secret, provisioning_uri
from api.inbox.sessions import SessionStore


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("The same password again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


async def create_user(username: str, name: str, role: str, password: str) -> str:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            taken = await session.scalar(
                select(Practitioner.id).where(func.lower(Practitioner.username) == username.lower())
            )
            if taken is not None:
                raise SystemExit(f"There is already an account called {username!r}.")
            secret = new_totp_secret()
            session.add(
                Practitioner(
                    username=username,
                    display_name=name,
                    role=role,
                    password_hash=hash_password(password),
                    totp_secret=secret,
                )
            )
            await session.commit()
            return secret
    finally:
        await engine.dispose()


async def deactivate(username: str) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    redis = Redis.from_url(settings.redis_url)
    try:
        async with make_sessionmaker(engine)() as session:
            person = await session.scalar(
                select(Practitioner).where(func.lower(Practitioner.username) == username.lower())
            )
            if person is None:
                raise SystemExit(f"There is no account called {username!r}.")
            person.active = False
            await session.commit()
            return await SessionStore(redis, 1, 1).end_all_for(person.id)
    finally:
        await redis.aclose()
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.admin", description="Inbox accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="Make an account with a password and two-factor")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True, help="The name residents and colleagues see")
    create.add_argument("--role", choices=ROLES, default="practitioner")
    create.add_argument("--password-stdin", action="store_true", help="Read the password from stdin")
    off = commands.add_parser("deactivate", help="Stop an account and end its sessions")
    off.add_argument("--username", required=True)
    args = parser.parse_args(argv)
    if args.command == "create-user":
        try:
            secret = asyncio.run(
                create_user(args.username, args.name, args.role, _password(args.password_stdin))
            )
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        print(f"Account {args.username!r} made ({args.role}).")
        print(f"Two-factor secret (shown once): {secret}")
        print(f"Authenticator address: {provisioning_uri(secret, args.username)}")
    else:
        ended = asyncio.run(deactivate(args.username))
        print(f"Account {args.username!r} deactivated; {ended} session(s) ended.")


if __name__ == "__main__":
    main()
