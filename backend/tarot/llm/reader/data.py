"""The reader's data files, loaded per language on first use and kept."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOG = HERE.parent.parent / "data"
SUITS = ("major", "wands", "cups", "swords", "pentacles")
ORIENTATIONS = ("upright", "reversed")
CARD_TOPICS = ("love", "career", "money", "wellbeing", "family")
CARD_POSITIONS = (
    "past",
    "present",
    "future",
    "challenge",
    "self",
    "other",
    "hopes_fears",
    "environment",
    "foundation",
)
DEFAULT_LANGUAGE = "en"
# Keys a language may set to false or empty (Chinese: no spaces, no capitals, "" between sentences).
_MAY_BE_EMPTY = frozenset(
    {"contractions", "bare", "articles", "spaces", "capitalize", "sentence_join"}
)


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def card_ids() -> tuple[str, ...]:
    """Every card id of the catalog, in deck order."""
    return tuple(card["id"] for suit in SUITS for card in _read(CATALOG / f"cards_{suit}.json"))


@cache
def card_meta() -> dict[str, dict]:
    """Polarity and release flags per card and orientation (language-neutral)."""
    path = HERE / "data" / "cards_meta.json"
    return _read(path) if path.exists() else {}


@cache
def position_classes() -> dict:
    """Position names and clues that map a spread position to its class."""
    return _read(HERE / "data" / "position_classes.json")


@cache
def lexicon(language: str) -> dict:
    """The question-analysis terms of one language."""
    return _read(HERE / "lexicon" / f"{language}.json")


@cache
def lexicon_languages() -> tuple[str, ...]:
    """The languages that have a lexicon; the safety check runs over all of them."""
    return tuple(sorted(path.stem for path in (HERE / "lexicon").glob("*.json")))


@cache
def card_languages() -> tuple[str, ...]:
    """The languages that have a folder of card lines (complete or not)."""
    return tuple(sorted(path.name for path in (HERE / "data").iterdir() if path.is_dir()))


@cache
def phrase_languages() -> tuple[str, ...]:
    """The languages that have phrase data (complete or not)."""
    return tuple(sorted(path.stem for path in (HERE / "phrases").glob("*.json")))


@cache
def phrases(language: str) -> dict:
    """The phrase file of one language, with its tones and follow-up slots merged in.

    Tones (`tones/<lang>.json`) and follow-up slots (`follow_up/<lang>.json`) live in files
    of their own so that each can be written and reviewed apart from the main phrases.
    """
    loaded = _read(HERE / "phrases" / f"{language}.json")
    tones = HERE / "tones" / f"{language}.json"
    if tones.exists() and not loaded.get("tones"):
        loaded["tones"] = _read(tones)
    follow_up = HERE / "follow_up" / f"{language}.json"
    if follow_up.exists():
        extra = _read(follow_up)
        loaded["slots"] = loaded["slots"] | extra["slots"]
        loaded["follow_up"] = {key: value for key, value in extra.items() if key != "slots"}
    return loaded


@cache
def card_lines(language: str) -> dict[str, dict]:
    """The enriched card lines of one language, merged over its five files."""
    merged: dict[str, dict] = {}
    folder = HERE / "data" / language
    for suit in SUITS:
        path = folder / f"cards_{suit}.json"
        if path.exists():
            merged |= _read(path)
    return merged


@cache
def card_names(language: str) -> dict[str, str]:
    """Localized card names from the catalog translations; empty for English."""
    names: dict[str, str] = {}
    folder = CATALOG / "i18n" / language
    for suit in SUITS:
        path = folder / f"cards_{suit}.json"
        if path.exists():
            names |= {card_id: entry["name"] for card_id, entry in _read(path).items()}
    return names


def phrase_problems(language: str, candidate: dict | None = None) -> list[str]:
    """What a phrase file lacks compared with English: slots, grammar and word keys."""
    reference = phrases(DEFAULT_LANGUAGE)
    candidate = phrases(language) if candidate is None else candidate
    problems = []
    for section in ("grammar", "words", "slots"):
        for key, value in reference[section].items():
            have = candidate.get(section, {}).get(key)
            if have is None or (value and not have and key not in _MAY_BE_EMPTY):
                problems.append(f"{language}: {section}.{key} is missing")
            elif isinstance(value, dict) and isinstance(have, dict) and section == "words":
                problems.extend(
                    f"{language}: words.{key}.{sub} is missing" for sub in value if sub not in have
                )
    for tone, slots in candidate.get("tones", {}).items():
        problems.extend(
            f"{language}: tone {tone} has unknown slot {slot}"
            for slot in slots
            if slot not in reference["slots"]
        )
    return problems


def card_problems(language: str, lines: dict | None = None) -> list[str]:
    """Every card, orientation and key missing or empty in one language's card lines."""
    lines = card_lines(language) if lines is None else lines
    problems: list[str] = []
    for card_id in card_ids():
        for orientation in ORIENTATIONS:
            entry = lines.get(card_id, {}).get(orientation)
            where = f"{language}: {card_id} {orientation}"
            if not isinstance(entry, dict):
                problems.append(f"{where} is missing")
                continue
            for key in ("theme", "advice"):
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    problems.append(f"{where} {key} is missing")
            essence = entry.get("essence")
            if not (isinstance(essence, list) and len(essence) == 3 and all(essence)):
                problems.append(f"{where} essence needs three sentences")
            for group, keys in (("topics", CARD_TOPICS), ("positions", CARD_POSITIONS)):
                table = entry.get(group) or {}
                problems.extend(
                    f"{where} {group}.{key} is missing"
                    for key in keys
                    if not str(table.get(key, "")).strip()
                )
    return problems


@cache
def complete(language: str) -> bool:
    """Whether a language has full phrases and card lines, so it can be written natively."""
    if language not in phrase_languages():
        return False
    return not phrase_problems(language) and not card_problems(language)


@cache
def resolve(requested: str) -> str:
    """The language a reading is written in: the requested one if complete, else English."""
    wanted = (requested or DEFAULT_LANGUAGE).lower()
    available = {name.lower(): name for name in phrase_languages()}
    primary = wanted.split("-", 1)[0]
    candidates = [available.get(wanted), available.get(primary)]
    candidates += [name for key, name in sorted(available.items()) if key.split("-")[0] == primary]
    for candidate in candidates:
        if candidate and complete(candidate):
            return candidate
    return DEFAULT_LANGUAGE
