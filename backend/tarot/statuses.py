"""A reading's status: the one type the table, the queue and the wire share."""

from __future__ import annotations

from enum import StrEnum


class ReadingStatus(StrEnum):
    """pending → running → completed | failed; the values are the stored and wire strings."""

    pending = "pending"
    running = "running"
    completed = "completed"
    failed = "failed"


TERMINAL = frozenset({ReadingStatus.completed, ReadingStatus.failed})
