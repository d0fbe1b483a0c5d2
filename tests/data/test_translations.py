"""Every catalog translation is complete, and a gap in one language is caught."""

import copy

import pytest

from tarot.data import load_cards, load_spreads
from tarot.data.translations import catalog_languages, read_translation, translation_problems

TRANSLATED = catalog_languages()[1:]
ZH_NAMES = {"the-fool": "愚者", "the-hanged-man": "吊人", "ace-of-wands": "權杖王牌"}
ZH_NAMES |= {
    "three-of-swords": "寶劍三",
    "page-of-cups": "聖杯侍者",
    "king-of-pentacles": "錢幣國王",
}
ES_NAMES = {"the-fool": "El Loco", "the-lovers": "Los Enamorados", "ace-of-cups": "As de Copas"}
ES_NAMES |= {"three-of-swords": "Tres de Espadas", "knight-of-pentacles": "Caballo de Oros"}


def test_the_shipped_languages_are_found():
    assert {"zh-TW", "es"} <= set(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_is_complete(language):
    assert translation_problems(language) == []


@pytest.mark.parametrize(("language", "names"), [("zh-TW", ZH_NAMES), ("es", ES_NAMES)])
def test_standard_card_names(language, names):
    cards = read_translation(language)["cards"]
    assert {card_id: cards[card_id]["name"] for card_id in names} == names


def test_names_are_unique_in_each_language():
    for language in TRANSLATED:
        names = [entry["name"] for entry in read_translation(language)["cards"].values()]
        assert len(set(names)) == len(load_cards())


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_missing_key_is_caught(language):
    data = read_translation(language)
    gaps = copy.deepcopy(data)
    del gaps["cards"]["the-star"]["meaning_reversed"]
    gaps["cards"]["two-of-cups"]["keywords_upright"].pop()
    del gaps["cards"]["ten-of-wands"]
    gaps["spreads"]["three-card"]["positions"].pop()
    del gaps["spreads"]["celtic-cross"]["positions"][4]["prompt"]
    del gaps["spreads"]["single"]["description"]
    problems = translation_problems(language, gaps)
    expected = [
        "card the-star meaning_reversed is missing",
        "card two-of-cups keywords_upright has",
        "card ten-of-wands is missing",
        "spread three-card has 2 positions",
        "spread celtic-cross position 5 prompt is missing",
        "spread single description is missing",
    ]
    for needle in expected:
        assert any(needle in problem for problem in problems), needle
    assert len(problems) == len(expected)
    assert translation_problems(language, data) == []  # the copy, not the files, had the gaps


def test_positions_follow_the_english_order():
    english = {spread["slug"]: spread for spread in load_spreads()}
    for language in TRANSLATED:
        for slug, spread in read_translation(language)["spreads"].items():
            assert len(spread["positions"]) == len(english[slug]["positions"])
