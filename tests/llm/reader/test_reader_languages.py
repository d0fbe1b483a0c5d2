"""Every shipped language is complete, so the quality tests run in it; a gap is caught."""

from __future__ import annotations

import copy

import pytest

from tarot.data.translations import catalog_languages
from tarot.llm.reader import data

SHIPPED = ("en", "es", "zh-TW")


def test_the_quality_tests_run_in_every_language_with_reader_data():
    # test_reader_quality.py runs in the languages whose data is complete: that must be all.
    ran = [name for name in data.phrase_languages() if name == "en" or data.complete(name)]
    assert set(ran) == set(data.phrase_languages())
    assert set(SHIPPED) <= set(ran)


def test_each_language_has_all_three_reader_files_and_a_catalog():
    assert set(data.phrase_languages()) == set(data.lexicon_languages())
    assert set(data.phrase_languages()) == set(data.card_languages())
    assert set(data.phrase_languages()) <= set(catalog_languages())


@pytest.mark.parametrize("language", ["zh-TW", "es"])
def test_a_missing_card_line_is_caught(language):
    lines = copy.deepcopy(data.card_lines(language))
    del lines["the-moon"]["reversed"]["topics"]["career"]
    lines["ace-of-cups"]["upright"]["advice"] = " "
    del lines["king-of-swords"]["upright"]
    problems = data.card_problems(language, lines)
    assert f"{language}: the-moon reversed topics.career is missing" in problems
    assert f"{language}: ace-of-cups upright advice is missing" in problems
    assert f"{language}: king-of-swords upright is missing" in problems
    assert len(problems) == 3


@pytest.mark.parametrize("language", ["zh-TW", "es"])
def test_a_missing_phrase_slot_or_word_is_caught(language):
    phrases = copy.deepcopy(data.phrases(language))
    del phrases["slots"]["safety.crisis.care"]
    del phrases["words"]["elements"][next(iter(phrases["words"]["elements"]))]
    del phrases["grammar"]["bands"]
    problems = data.phrase_problems(language, phrases)
    assert f"{language}: slots.safety.crisis.care is missing" in problems
    assert f"{language}: grammar.bands is missing" in problems
    assert any(problem.startswith(f"{language}: words.elements.") for problem in problems)
    assert data.phrase_problems(language) == []
