"""Drawing cards: reproducible with a seed, `secrets`-backed without one."""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import date


def draw(
    *, count: int, deck_size: int, reversals: bool, seed: int | None
) -> list[tuple[int, bool]]:
    """Pick `count` distinct deck indices, each with a reversed flag."""
    rng: random.Random = random.Random(seed) if seed is not None else secrets.SystemRandom()
    indices = rng.sample(range(deck_size), count)
    return [(index, reversals and rng.random() < 0.5) for index in indices]


def daily_seed(day: date) -> int:
    """A seed that depends only on the UTC date, so everyone sees the same card."""
    digest = hashlib.sha256(f"tarot-daily:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
