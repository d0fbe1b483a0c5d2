"""The `tarot` command: serve the API and manage its database."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import subprocess
import sys

from tarot.config import get_settings

log = logging.getLogger("tarot.cli")


async def _prepare(database_url: str) -> None:
    from tarot.db.migrate import upgrade

    await upgrade(database_url)
    await _seed(database_url)


async def _seed(database_url: str) -> None:
    from tarot.config import Settings
    from tarot.db.migrate import seed
    from tarot.db.session import create_database

    db = create_database(Settings(DATABASE_URL=database_url))
    try:
        async with db.sessionmaker.begin() as session:
            added = await seed(session)
        log.info("seeded %(cards)d cards and %(spreads)d spreads", added)
    finally:
        await db.dispose()


async def _is_ready(database_url: str) -> bool:
    from sqlalchemy.ext.asyncio import create_async_engine

    from tarot.db.migrate import is_ready

    engine = create_async_engine(database_url)
    try:
        return await is_ready(engine)
    finally:
        await engine.dispose()


def serve() -> int:
    """Migrate and seed when needed, then serve on $PORT."""
    settings = get_settings()
    if not asyncio.run(_is_ready(settings.database_url)):
        # A child process migrates so that alembic never occupies the server's memory.
        subprocess.run([sys.executable, "-m", "tarot", "db", "prepare"], check=True)
    import uvicorn

    uvicorn.run(
        "tarot.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # X-Forwarded-For is believed only from the proxies named in TAROT_TRUSTED_PROXIES.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        access_log=False,  # it would log the query strings, stream_url tokens included
    )
    return 0


async def _create_admin(database_url: str, email: str, password: str) -> None:
    from tarot.config import Settings
    from tarot.db.session import create_database
    from tarot.services.accounts import create_admin

    db = create_database(Settings(DATABASE_URL=database_url))
    try:
        async with db.sessionmaker.begin() as session:
            user = await create_admin(session=session, email=email, password=password)
        log.info("%s is now an admin", user.email)
    finally:
        await db.dispose()


def _admin_password() -> str:
    password = os.environ.get("TAROT_ADMIN_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise SystemExit("Set TAROT_ADMIN_PASSWORD, or run interactively to be asked.")
        password = getpass.getpass("Password for the new admin: ")
    if len(password) < 10:
        raise SystemExit("The password needs at least 10 characters.")
    return password


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tarot` console script."""
    parser = argparse.ArgumentParser(prog="tarot", description=__doc__)
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
    create = admin.add_parser("create", help="create (or promote) an admin account")
    create.add_argument("--email", required=True)
    args = parser.parse_args(argv)

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        return serve()
    if args.command == "admin":
        asyncio.run(_create_admin(settings.database_url, args.email, _admin_password()))
        return 0

    from tarot.db import migrate

    url = settings.database_url
    action = {
        "upgrade": lambda: migrate.upgrade(url),
        "downgrade": lambda: migrate.downgrade(url),
        "seed": lambda: _seed(url),
        "prepare": lambda: _prepare(url),
    }[args.action]
    asyncio.run(action())
    return 0
