"""Consistency checks for the static card and spread catalogue."""

import re

import pytest

from tarot.data import load_cards, load_spreads

SUITS = ("wands", "cups", "swords", "pentacles")
SUIT_PREFIX = {"wands": "wa", "cups": "cu", "swords": "sw", "pentacles": "pe"}
SUIT_ELEMENT = {"wands": "Fire", "cups": "Water", "swords": "Air", "pentacles": "Earth"}
RANKS = (
    "ace", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", "page", "knight", "queen", "king",
)  # fmt: skip
RANK_CODE = {1: "ac", 11: "pa", 12: "kn", 13: "qu", 14: "ki"}
ELEMENTS = {"Fire", "Water", "Air", "Earth"}
TEXT_FIELDS = ("id", "code", "name", "meaning_upright", "meaning_reversed", "description",
               "astrology")  # fmt: skip
ALL_FIELDS = {
    "id", "code", "name", "arcana", "suit", "number", "rank", "keywords_upright",
    "keywords_reversed", "meaning_upright", "meaning_reversed", "description", "element",
    "astrology",
}  # fmt: skip
SPREAD_SIZES = {
    "single": 1,
    "three-card": 3,
    "situation-action-outcome": 3,
    "relationship": 5,
    "horseshoe": 7,
    "celtic-cross": 10,
    "yes-no": 1,
}


def expected_code(card: dict) -> str:
    if card["arcana"] == "major":
        return f"ar{card['number']:02d}"
    number = card["number"]
    return SUIT_PREFIX[card["suit"]] + RANK_CODE.get(number, f"{number:02d}")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.fixture(scope="module")
def cards() -> list[dict]:
    return load_cards()


@pytest.fixture(scope="module")
def spreads() -> list[dict]:
    return load_spreads()


def test_deck_has_78_cards(cards):
    assert len(cards) == 78


def test_ids_and_codes_unique(cards):
    ids = [c["id"] for c in cards]
    codes = [c["code"] for c in cards]
    assert len(set(ids)) == len(ids)
    assert len(set(codes)) == len(codes)


def test_every_field_present_and_non_empty(cards):
    for card in cards:
        assert set(card) == ALL_FIELDS, card.get("id")
        for field in TEXT_FIELDS:
            assert isinstance(card[field], str), (card["id"], field)
            assert card[field].strip(), (card["id"], field)
        for field in ("keywords_upright", "keywords_reversed"):
            keywords = card[field]
            assert isinstance(keywords, list), (card["id"], field)
            assert 4 <= len(keywords) <= 6, (card["id"], field)
            for word in keywords:
                assert isinstance(word, str), (card["id"], field)
                assert word.strip(), (card["id"], field)
                assert word == word.lower(), (card["id"], field, word)
        assert card["meaning_upright"].strip() != card["meaning_reversed"].strip(), card["id"]


def test_major_arcana_consistent(cards):
    majors = [c for c in cards if c["arcana"] == "major"]
    assert [c["number"] for c in majors] == list(range(22))
    for card in majors:
        assert card["suit"] is None, card["id"]
        assert card["rank"] is None, card["id"]
    assert majors[0]["name"] == "The Fool"
    assert majors[8]["name"] == "Strength"
    assert majors[11]["name"] == "Justice"
    assert majors[21]["name"] == "The World"


def test_minor_arcana_consistent(cards):
    minors = [c for c in cards if c["arcana"] == "minor"]
    assert len(minors) == 56
    for suit in SUITS:
        in_suit = [c for c in minors if c["suit"] == suit]
        assert [c["number"] for c in in_suit] == list(range(1, 15)), suit
        for card in in_suit:
            rank = RANKS[card["number"] - 1]
            assert card["rank"] == rank, card["id"]
            assert card["id"] == f"{rank}-of-{suit}"
            assert card["name"] == f"{rank.capitalize()} of {suit.capitalize()}"


def test_deck_order(cards):
    order = [(c["arcana"], c["suit"], c["number"]) for c in cards]
    expected = [("major", None, n) for n in range(22)]
    expected += [("minor", suit, n) for suit in SUITS for n in range(1, 15)]
    assert order == expected


def test_arcana_values(cards):
    for card in cards:
        assert card["arcana"] in {"major", "minor"}, card["id"]
        assert card["suit"] in {None, *SUITS}, card["id"]
        assert (card["arcana"] == "major") == (card["suit"] is None), card["id"]


def test_ids_are_slugs_of_names(cards):
    for card in cards:
        assert card["id"] == slugify(card["name"]), card["id"]


def test_codes_match_scheme(cards):
    for card in cards:
        assert re.fullmatch(r"ar\d\d|(wa|cu|sw|pe)(ac|0[2-9]|10|pa|kn|qu|ki)", card["code"])
        assert card["code"] == expected_code(card), card["id"]


def test_elements_valid(cards):
    for card in cards:
        assert card["element"] in ELEMENTS, card["id"]
        if card["arcana"] == "minor":
            assert card["element"] == SUIT_ELEMENT[card["suit"]], card["id"]


def test_spread_positions_numbered(spreads):
    assert spreads
    for spread in spreads:
        for field in ("slug", "name", "description"):
            assert isinstance(spread[field], str) and spread[field].strip(), spread
        positions = spread["positions"]
        assert [p["position"] for p in positions] == list(range(1, len(positions) + 1))
        for pos in positions:
            assert isinstance(pos["name"], str) and pos["name"].strip(), spread["slug"]
            assert isinstance(pos["prompt"], str) and pos["prompt"].strip(), spread["slug"]


def test_spread_slugs_and_sizes(spreads):
    slugs = [s["slug"] for s in spreads]
    assert len(set(slugs)) == len(slugs)
    sizes = {s["slug"]: len(s["positions"]) for s in spreads}
    for slug, size in SPREAD_SIZES.items():
        assert sizes.get(slug) == size, slug
