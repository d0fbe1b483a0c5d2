"""Catalog translations: one folder per language under `i18n/`, read on first request only.

English lives in the database (the admin-editable source); a language's files are merged
over those rows at load time. A new language is a new folder, no code and no migration.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from tarot.data import CARD_FILES, SPREADS_FILE, load_cards, load_spreads

DEFAULT_LANGUAGE = "en"
CARD_FIELDS = (
    "name",
    "keywords_upright",
    "keywords_reversed",
    "meaning_upright",
    "meaning_reversed",
    "description",
)

# language -> {"cards": {card id: fields}, "spreads": {slug: fields}}; filled on first use,
# so a language nobody asks for costs nothing (tests read this through loaded_languages()).
_loaded: dict[str, dict[str, dict]] = {}


def _folder():
    return files(__package__).joinpath("i18n")


@cache  # the folders ship with the package; listing them per request cost a listdir each
def catalog_languages() -> tuple[str, ...]:
    """English and every language that has a folder of translations, sorted."""
    found = (entry.name for entry in _folder().iterdir() if entry.is_dir())
    return (DEFAULT_LANGUAGE, *sorted(name for name in found if name != DEFAULT_LANGUAGE))


def match_language(tag: str | None) -> str | None:
    """The catalog language for one BCP 47 tag: exact, else by primary subtag; None if none.

    `zh-Hant`, `zh-HK` and `zh` find `zh-TW` because it is the only Chinese we have; `es-MX`
    finds `es`. Matching is case-insensitive, as tags are.
    """
    if not tag:
        return None
    wanted = tag.strip().lower()
    available = catalog_languages()
    for name in available:
        if name.lower() == wanted:
            return name
    primary = wanted.split("-", 1)[0]
    for name in available:
        if name.lower().split("-", 1)[0] == primary:
            return name
    return None


def catalog_language(tag: str | None) -> str:
    """The catalog language a reading in `tag` is shown in; English when there is none."""
    return match_language(tag) or DEFAULT_LANGUAGE


def _read(language: str, name: str) -> dict:
    path = _folder().joinpath(language, name)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def read_translation(language: str) -> dict[str, dict]:
    """A language's card and spread texts straight from its files (not kept)."""
    cards: dict[str, dict] = {}
    for name in CARD_FILES:
        cards |= _read(language, name)
    return {"cards": cards, "spreads": _read(language, SPREADS_FILE)}


def translation(language: str) -> dict[str, dict] | None:
    """A language's texts, loaded once and kept; None for English (the rows are English)."""
    if language == DEFAULT_LANGUAGE:
        return None
    if language not in _loaded:
        _loaded[language] = read_translation(language)
    return _loaded[language]


def loaded_languages() -> tuple[str, ...]:
    """The languages whose translations are in memory."""
    return tuple(sorted(_loaded))


def forget_translations() -> None:
    """Drop every loaded translation (tests; a reload after the files changed)."""
    _loaded.clear()


def translation_problems(language: str, data: dict[str, dict] | None = None) -> list[str]:
    """Every card, spread, field or position a language lacks compared with English."""
    data = read_translation(language) if data is None else data
    problems: list[str] = []
    cards, spreads = data.get("cards", {}), data.get("spreads", {})
    for card in load_cards():
        entry = cards.get(card["id"])
        where = f"{language}: card {card['id']}"
        if not isinstance(entry, dict):
            problems.append(f"{where} is missing")
            continue
        for field in CARD_FIELDS:
            value = entry.get(field)
            if not value or (isinstance(value, list) and not all(value)):
                problems.append(f"{where} {field} is missing")
            elif field.startswith("keywords") and len(value) != len(card[field]):
                wanted = len(card[field])
                problems.append(f"{where} {field} has {len(value)} keywords, not {wanted}")
    for spread in load_spreads():
        entry = spreads.get(spread["slug"])
        where = f"{language}: spread {spread['slug']}"
        if not isinstance(entry, dict):
            problems.append(f"{where} is missing")
            continue
        problems.extend(
            f"{where} {key} is missing" for key in ("name", "description") if not entry.get(key)
        )
        places = entry.get("positions") or []
        if len(places) != len(spread["positions"]):
            wanted = len(spread["positions"])
            problems.append(f"{where} has {len(places)} positions, not {wanted}")
        for number, place in enumerate(places, start=1):
            for key in ("name", "prompt"):
                if not (isinstance(place, dict) and place.get(key)):
                    problems.append(f"{where} position {number} {key} is missing")
    unknown = set(cards) - {card["id"] for card in load_cards()}
    problems.extend(f"{language}: unknown card {card_id}" for card_id in sorted(unknown))
    return problems
