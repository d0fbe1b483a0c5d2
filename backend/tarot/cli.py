"""The `tarot` command: serve the API and manage its database.

A setup problem (a bad DATABASE_URL, an unmigrated database, a bad email) ends the command
with one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import subprocess
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

from tarot.db.preflight import (
    SetupError,
    check_connection,
    check_schema,
    check_url,
    describe_cause,
)

if TYPE_CHECKING:
    import argparse

    from tarot.config import Settings

log = logging.getLogger("tarot.cli")


async def _prepare(database_url: str) -> None:
    from tarot.db.migrate import upgrade

    await upgrade(database_url)
    await _seed(database_url)


async def _seed(database_url: str) -> None:
    from tarot.config import Settings
    from tarot.db.migrate import seed
    from tarot.db.session import create_database

    await check_schema(database_url)
    db = create_database(Settings(database_url=database_url))
    try:
        async with db.sessionmaker.begin() as session:
            added = await seed(session)
        log.info("seeded %(cards)d cards and %(spreads)d spreads", added)
    finally:
        await db.dispose()


async def _is_ready(database_url: str) -> bool:
    from sqlalchemy.ext.asyncio import create_async_engine

    from tarot.db.migrate import is_ready

    await check_connection(database_url)
    engine = create_async_engine(database_url, hide_parameters=True)
    try:
        return await is_ready(engine)
    finally:
        await engine.dispose()


def serve(settings: Settings) -> int:
    """Migrate and seed when needed, then serve on $PORT."""
    if not asyncio.run(_is_ready(settings.database_url)):
        # A child process migrates so that alembic never occupies the server's memory.
        prepared = subprocess.run([sys.executable, "-m", "tarot", "db", "prepare"], check=False)
        if prepared.returncode:
            return prepared.returncode  # the child has said why, in one line
    import uvicorn

    uvicorn.run(
        "tarot.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # httptools earns its ~0.2 MB (twice h11's rps); uvloop does not (+2.2 MB, same rps).
        http="httptools",
        loop="asyncio",
        # X-Forwarded-For is believed only from the proxies named in TAROT_TRUSTED_PROXIES.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        access_log=False,  # it would log the query strings, stream_url tokens included
    )
    return 0


async def _create_admin(database_url: str, email: str, password: str) -> str:
    """Create or promote the admin, set its password, and say plainly what happened."""
    from tarot.config import Settings
    from tarot.db.session import create_database
    from tarot.services.accounts import create_admin, find_user

    await check_schema(database_url)
    db = create_database(Settings(database_url=database_url))
    try:
        async with db.sessionmaker.begin() as session:
            existing = await find_user(session=session, email=email)
            was_admin = existing is not None and existing.role == "admin"
            user = await create_admin(session=session, email=email, password=password)
    finally:
        await db.dispose()
    if existing is None:
        return f"created the admin account {user.email} with the password you gave"
    role = "it was already an admin" if was_admin else "it is now an admin"
    return f"{user.email} already existed: {role}, and its password is now the one you gave"


def _admin_credentials(email: str) -> tuple[str, str]:
    """A valid email and password (TAROT_ADMIN_PASSWORD, or asked for), else SetupError."""
    from pydantic import ValidationError

    from tarot.schemas.accounts import UserCreate

    password = os.environ.get("TAROT_ADMIN_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise SetupError("set TAROT_ADMIN_PASSWORD, or run interactively to be asked")
        password = getpass.getpass("Password for the admin: ")
    try:
        valid = UserCreate(email=email, password=password)
    except ValidationError as error:
        field = error.errors()[0]["loc"][0]
        if field == "email":
            raise SetupError(f"--email {email!r} is not a valid email address") from None
        raise SetupError("the password needs 10 to 128 characters") from None
    return valid.email, valid.password


def _parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="tarot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate and seed if needed, then serve on $PORT")
    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="action", required=True
    )
    db.add_parser("upgrade", help="migrate to the newest schema")
    db.add_parser("downgrade", help="migrate down to an empty schema")
    db.add_parser("seed", help="insert missing cards and spreads (idempotent)")
    db.add_parser("prepare", help="upgrade, then seed")
    admin = commands.add_parser("admin", help="accounts with the admin role").add_subparsers(
        dest="action", required=True
    )
    create = admin.add_parser(
        "create", help="create an admin, or promote an existing account; sets the password"
    )
    create.add_argument("--email", required=True)
    return parser


def _run(args: argparse.Namespace | SimpleNamespace) -> int:
    from tarot.config import get_settings

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    url = settings.database_url
    check_url(url)
    if args.command == "serve":
        return serve(settings)
    if args.command == "admin":
        email, password = _admin_credentials(args.email)
        asyncio.run(check_connection(url))
        print(asyncio.run(_create_admin(url, email, password)))
        return 0

    from tarot.db import migrate

    action = {
        "upgrade": lambda: migrate.upgrade(url),
        "downgrade": lambda: migrate.downgrade(url),
        "seed": lambda: _seed(url),
        "prepare": lambda: _prepare(url),
    }[args.action]
    asyncio.run(check_connection(url))
    asyncio.run(action())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tarot` console script."""
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

    argv = sys.argv[1:] if argv is None else argv
    # The server's own command line skips argparse: ~0.3 MB it would keep for its lifetime.
    args = SimpleNamespace(command="serve") if argv == ["serve"] else _parser().parse_args(argv)
    try:
        return _run(args)
    except SetupError as problem:
        print(f"tarot: {problem}", file=sys.stderr)
    except (DBAPIError, OSError) as error:  # the database failed after the checks passed
        print(f"tarot: the database failed: {describe_cause(error)}", file=sys.stderr)
    except ValidationError as error:  # a setting from the environment has a bad value
        where = ".".join(str(part) for part in error.errors()[0]["loc"])
        print(f"tarot: the setting {where} is invalid: {error.errors()[0]['msg']}", file=sys.stderr)
    return 1
