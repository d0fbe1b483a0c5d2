"""Static catalogue data (cards and spreads) shipped with the package."""

import json
from importlib.resources import files

CARD_FILES = (
    "cards_major.json",
    "cards_wands.json",
    "cards_cups.json",
    "cards_swords.json",
    "cards_pentacles.json",
)
SPREADS_FILE = "spreads.json"


def _read(name: str) -> list[dict]:
    """Parse one JSON file that lives next to this module."""
    return json.loads(files(__package__).joinpath(name).read_text(encoding="utf-8"))


def load_cards() -> list[dict]:
    """Return all 78 cards in deck order: majors, then wands, cups, swords, pentacles."""
    cards: list[dict] = []
    for name in CARD_FILES:
        cards.extend(_read(name))
    return cards


def load_spreads() -> list[dict]:
    """Return every spread definition in file order."""
    return _read(SPREADS_FILE)
