"""The reader's data: every language file complete, and a missing key is caught."""

from __future__ import annotations

import copy
import re

import pytest

from tarot.llm.reader import data

PLACEHOLDER = re.compile(r"{(\w+)}")


@pytest.mark.parametrize("language", data.phrase_languages())
def test_phrase_file_has_every_slot_and_key(language):
    assert data.phrase_problems(language) == []


@pytest.mark.parametrize("language", data.phrase_languages())
def test_slots_use_only_the_placeholders_english_gives_them(language):
    english = data.phrases("en")["slots"]
    phrases = data.phrases(language)
    for slot, variants in phrases["slots"].items():
        allowed = {name for text in english[slot] for name in PLACEHOLDER.findall(text)}
        for text in variants:
            assert set(PLACEHOLDER.findall(text)) <= allowed, (language, slot, text)
            text.format_map(dict.fromkeys(allowed, "x"))  # braces balance


@pytest.mark.parametrize("language", data.phrase_languages())
def test_every_slot_has_variants_to_choose_from(language):
    slots = data.phrases(language)["slots"]
    single = {"safety.crisis.care", "safety.medical", "safety.pregnancy", "safety.legal",
              "safety.money"}  # fmt: skip
    for slot, variants in slots.items():
        assert len(set(variants)) == len(variants), (slot, "a variant is listed twice")
        if slot not in single:
            assert len(variants) >= 2, slot


@pytest.mark.parametrize("language", data.card_languages())
def test_card_lines_cover_every_card_orientation_and_key(language):
    assert data.card_problems(language) == []


def test_card_meta_covers_every_card_and_release_reads_as_relief():
    meta = data.card_meta()
    assert set(meta) == set(data.card_ids())
    for card_id, sides in meta.items():
        for orientation in data.ORIENTATIONS:
            assert -1 <= sides[orientation]["polarity"] <= 1, card_id
        if sides["reversed"]["release"]:
            assert sides["reversed"]["polarity"] >= 0, card_id
    assert meta["the-tower"]["reversed"]["release"]
    assert meta["ten-of-swords"]["reversed"]["release"]


def test_a_missing_card_key_is_caught():
    lines = copy.deepcopy(data.card_lines("en"))
    card = next(iter(lines))
    del lines[card]["reversed"]["positions"]["past"]
    lines[card]["upright"]["essence"] = lines[card]["upright"]["essence"][:2]
    problems = data.card_problems("en", lines)
    assert f"en: {card} reversed positions.past is missing" in problems
    assert f"en: {card} upright essence needs three sentences" in problems


def test_a_missing_phrase_slot_is_caught():
    phrases = copy.deepcopy(data.phrases("en"))
    del phrases["slots"]["answer.yes.strong"]
    del phrases["words"]["topics"]["career"]
    phrases["tones"] = {"gentle": {"no.such.slot": ["x"]}}
    problems = data.phrase_problems("xx", phrases)
    assert "xx: slots.answer.yes.strong is missing" in problems
    assert "xx: words.topics.career is missing" in problems
    assert "xx: tone gentle has unknown slot no.such.slot" in problems


def test_an_incomplete_language_falls_back_to_english():
    assert data.resolve("en-GB") == "en"
    assert data.resolve("fr") == "en"
    for language in data.phrase_languages():
        expected = language if data.complete(language) else "en"
        assert data.resolve(language) == expected
