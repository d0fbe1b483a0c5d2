"""Tones, focus, custom position classes and follow-ups in the offline reader (issue 14)."""

import json
import re
from pathlib import Path

import pytest

from tarot.llm.base import DrawnCard, ReadingContext
from tarot.llm.reader import data
from tarot.llm.reader.compose import write
from tarot.llm.reader.plan import CLASS_LINES, make_plan
from tarot.schemas.reading_options import PositionClass

READER = Path(data.__file__).parent
SHIPPED = ("en", "zh-TW", "es")
TONES = ("gentle", "direct", "practical")
PLACEHOLDER = re.compile(r"{(\w+)}")


def card(position, name, card_id, card_name, suit, element, reversed_=False, cls=None, arcana=None):
    return DrawnCard(position, name, f"What {name.lower()} shows.", card_id, card_name,
                     arcana or ("minor" if suit else "major"), suit, element, reversed_,
                     ("focus",), "A plain meaning.", cls)  # fmt: skip


SPREAD = (
    card(1, "Past", "three-of-cups", "Three of Cups", "cups", "water"),
    card(2, "Present", "the-tower", "The Tower", None, "fire", True),
    card(3, "Future", "ace-of-swords", "Ace of Swords", "swords", "air"),
)


def context(question="What should I keep in mind?", language="en", cards=SPREAD, **extra):
    return ReadingContext(question, "Three cards", language, cards, **extra)


def placeholders(variants) -> set[str]:
    return {name for text in variants for name in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("language", SHIPPED)
def test_tone_data_has_three_voices_over_known_slots(language):
    english = json.loads((READER / "phrases" / "en.json").read_text())["slots"]
    tones = json.loads((READER / "tones" / f"{language}.json").read_text(encoding="utf-8"))
    assert sorted(tones) == sorted(TONES)
    for tone, slots in tones.items():
        assert set(slots) == set(tones["gentle"]), tone
        for slot, variants in slots.items():
            assert len(variants) >= 3 and len(set(variants)) == len(variants), (tone, slot)
            assert placeholders(variants) <= placeholders(english[slot]), (tone, slot)


@pytest.mark.parametrize("language", SHIPPED)
def test_follow_up_data_matches_english(language):
    english = json.loads((READER / "follow_up" / "en.json").read_text())
    mine = json.loads((READER / "follow_up" / f"{language}.json").read_text(encoding="utf-8"))
    assert set(mine["slots"]) == set(english["slots"])
    for slot, variants in mine["slots"].items():
        assert variants and placeholders(variants) == placeholders(english["slots"][slot]), slot
    if not mine["position"]["use_names"]:
        assert set(mine["position"]["classes"]) == set(CLASS_LINES)


def test_every_phrase_language_has_tones_and_follow_ups():
    for language in data.phrase_languages():
        assert (READER / "tones" / f"{language}.json").exists(), language
        assert (READER / "follow_up" / f"{language}.json").exists(), language


def test_the_api_classes_are_the_readers():
    assert {item.value for item in PositionClass} == set(CLASS_LINES)


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if data.complete(lang)])
def test_tones_are_distinct_voices(language):
    texts = {tone: write(context(language=language, tone=tone)).text for tone in TONES}
    plain = write(context(language=language)).text
    assert len({plain, *texts.values()}) == 4
    closing = data.phrases(language)["tones"]
    for tone, text in texts.items():
        heads = [v.split("{")[0][:8] for v in closing[tone]["closing"] if v.split("{")[0][:8]]
        tails = [v.rsplit("}", 1)[-1][-8:] for v in closing[tone]["closing"]]
        assert any(h and h in text for h in heads) or any(t and t in text for t in tails), tone


def test_focus_steers_only_a_question_without_a_topic():
    assert make_plan(context(focus="love")).extra["topic"] == "love"
    assert make_plan(context()).extra["topic"] == "general"
    named = context("How do I handle my new job?", focus="love")
    assert make_plan(named).extra["topic"] == "career"
    loving = write(context(focus="love")).text
    assert loving != write(context()).text
    assert data.phrases("en")["words"]["topics"]["love"] in loving


def test_a_given_class_wins_and_a_missing_one_is_inferred():
    cards = (
        card(1, "Root", "three-of-cups", "Three of Cups", "cups", "water", cls="advice"),
        card(2, "Obstacle", "the-tower", "The Tower", None, "fire"),
    )
    classes = [s.position_class for s in make_plan(context(cards=cards)).sections]
    assert classes == ["advice", "challenge"]


def follow_up(clarifier, question="And what about my sister?", language="en", **extra):
    parent = context(language=language)
    return ReadingContext(question, "Follow-up", language, (clarifier,), parent=parent, **extra)


def test_a_follow_up_names_the_positions_it_shares_a_suit_with():
    clarifier = card(1, "Clarifier", "six-of-cups", "Six of Cups", "cups", "water", cls="advice")
    written = write(follow_up(clarifier))
    assert written.plan.extra["related_positions"][0] == 1
    assert "the Past position" in written.text and "Three of Cups" in written.text
    assert "Six of Cups" in written.text and "suit" in written.text
    assert "And what about my sister?" in written.text


def test_a_major_clarifier_speaks_to_the_major_in_the_spread():
    clarifier = card(1, "Clarifier", "the-star", "The Star", None, "air", cls="advice")
    written = write(follow_up(clarifier))
    related = written.plan.extra["related_positions"]
    assert related[0] == 2 and "the Present position" in written.text
    assert "Tower" in written.text


def test_a_follow_up_in_chinese_names_positions_by_class():
    clarifier = card(1, "Clarifier", "six-of-cups", "Six of Cups", "cups", "water", cls="advice")
    written = write(follow_up(clarifier, "我該怎麼跟姊姊說？", language="zh-TW"))
    assert written.language == "zh-TW"
    assert "「過去」的位置" in written.text and "聖杯" in written.text


def test_a_crisis_follow_up_gets_care_and_no_links():
    clarifier = card(1, "Clarifier", "six-of-cups", "Six of Cups", "cups", "water", cls="advice")
    written = write(follow_up(clarifier, "I want to end my life, is there any point?"))
    assert written.safety_class == "crisis"
    assert "Past position" not in written.text and "related_positions" not in written.plan.extra
