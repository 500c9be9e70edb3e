"""Inbox accounts, made by an admin at the command line (there is no sign-up page).

    python -m api.admin create-user --username sam --name "Sam Patel" [--role admin]
    python -m api.admin reset-password --username sam [--new-code]
    python -m api.admin deactivate --username sam

The password is asked for (or read from stdin with --password-stdin) and refused if it is
short, common or built from the person's name; a new TOTP secret is printed once, with the
otpauth:// address to put into an authenticator app. A reset ends the person's sessions and
forgets the browsers and addresses they logged in from (docs/security.md).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.config import get_settings
from api.db.models import Practitioner
from api.db.session import make_engine, make_sessionmaker
from api.inbox import audit
from api.inbox.access import ROLES
from api.inbox.credentials import hash_password, new_totp_secret, provisioning_uri
from api.inbox.sessions import SessionStore
from api.inbox.throttle import LoginThrottle


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
                    password_hash=hash_password(password, username, name),
                    totp_secret=secret,
                )
            )
            await session.commit()
            return secret
    finally:
        await engine.dispose()


async def _account(session: AsyncSession, username: str) -> Practitioner:
    person = await session.scalar(
        select(Practitioner).where(func.lower(Practitioner.username) == username.lower())
    )
    if person is None:
        raise SystemExit(f"There is no account called {username!r}.")
    return person


async def deactivate(username: str) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    redis = Redis.from_url(settings.redis_url)
    try:
        async with make_sessionmaker(engine)() as session:
            person = await _account(session, username)
            person.active = False
            await session.commit()
            return await SessionStore(redis, 1, 1).end_all_for(person.id)
    finally:
        await redis.aclose()
        await engine.dispose()


async def reset_password(username: str, password: str, new_code: bool) -> tuple[int, str | None]:
    """A new password (and, if asked, a new two-factor secret); every session ends.

    Returns the number of sessions ended and the new secret, if any."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    redis = Redis.from_url(settings.redis_url)
    try:
        async with make_sessionmaker(engine)() as session:
            person = await _account(session, username)
            person.password_hash = hash_password(password, person.username, person.display_name)
            secret = new_totp_secret() if new_code else None
            if secret is not None:
                person.totp_secret = secret
            audit.record(session, "admin (command line)", "password_reset", note=person.username)
            await session.commit()
            await LoginThrottle(redis, 1, 1, 1, 1).forget_places(person.username)
            return await SessionStore(redis, 1, 1).end_all_for(person.id), secret
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
    reset = commands.add_parser("reset-password", help="Set a new password and end every session")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="Read the password from stdin")
    reset.add_argument("--new-code", action="store_true", help="Also a new two-factor secret (lost phone)")
    off = commands.add_parser("deactivate", help="Stop an account and end its sessions")
    off.add_argument("--username", required=True)
    args = parser.parse_args(argv)
    if args.command == "reset-password":
        try:
            ended, secret = asyncio.run(
                reset_password(args.username, _password(args.password_stdin), args.new_code)
            )
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        print(f"Password of {args.username!r} reset; {ended} session(s) ended.")
        if secret is not None:
            print(f"Two-factor secret (shown once): {secret}")
            print(f"Authenticator address: {provisioning_uri(secret, args.username)}")
        return
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
