"""The pool's close-failure tracebacks during an outage become one-line warnings."""

from __future__ import annotations

import logging

import pytest

from tarot.config import Settings
from tarot.db.session import create_database


def _raised(error: BaseException) -> tuple:
    try:
        raise error
    except BaseException as caught:
        return (type(caught), caught, caught.__traceback__)


@pytest.mark.parametrize(
    ("error", "quiet"), [(TimeoutError(), True), (ValueError("a real bug"), False)]
)
async def test_only_outage_close_failures_lose_their_traceback(tmp_path, caplog, error, quiet):
    db = create_database(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/pool.db"))
    try:
        pool_log = db.engine.sync_engine.pool.logger
        with caplog.at_level(logging.INFO, logger=pool_log.name):
            pool_log.error("Exception closing connection %r", "conn", exc_info=_raised(error))
        (record,) = [r for r in caplog.records if r.name == pool_log.name]
        assert (record.exc_info is None) is quiet
        assert record.levelno == (logging.WARNING if quiet else logging.ERROR)
        assert "Exception closing connection 'conn'" in record.getMessage()
    finally:
        await db.dispose()
