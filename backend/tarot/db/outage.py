"""Telling a database outage (unreachable, frozen, restarting) from a bad query."""

from __future__ import annotations

import logging

# asyncpg's connection-level errors, named so that this module never imports the driver.
_ASYNCPG_OUTAGES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
        "AdminShutdownError",
        "CrashShutdownError",
        "InterfaceError",
        "ConnectionRejectionError",
    }
)


def is_database_outage(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or did not answer in time."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
            return True
        cause = exc.orig.__cause__ if exc.orig is not None else None
        if isinstance(exc, sa_exc.OperationalError) and cause is None:
            return True  # SQLite: locked or unreadable file; a driver-level operational fault
        return cause is not None and is_database_outage(cause)
    if isinstance(exc, TimeoutError | ConnectionError):  # asyncpg's command and connect timeouts
        return True
    if isinstance(exc, OSError) and exc.errno is not None:  # e.g. no route to host
        return True
    module = type(exc).__module__
    return module.startswith("asyncpg") and type(exc).__name__ in _ASYNCPG_OUTAGES


class QuietDeadConnections(logging.Filter):
    """SQLAlchemy's pool logs a traceback when closing a connection to a dead server fails.

    During an outage that is expected and says nothing new (the outage is logged once by
    its watcher), so the record is kept as a one-line warning without the traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and is_database_outage(error):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"{record.getMessage()}: {type(error).__name__} (database outage)"
            record.args = ()
        return True


def quiet_dead_connections(pool_log: object) -> None:
    """Install the filter once on a pool's own logger ; a parent's filter misses it."""
    # With echo_pool the pool logs through SQLAlchemy's InstanceLogger, which wraps a Logger.
    target = getattr(pool_log, "logger", pool_log)
    if isinstance(target, logging.Logger) and not any(
        isinstance(existing, QuietDeadConnections) for existing in target.filters
    ):
        target.addFilter(QuietDeadConnections())
