"""The offline writer: complete, pattern-aware, deterministic readings without any LLM."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tarot.llm.base import DrawnCard, Generation, ReadingContext
from tarot.llm.offline import OfflineProvider, build, find_patterns, write_interpretation
from tarot.llm.prompt import build_prompt

POSITIONS = (
    ("Past", "What has led you here"),
    ("Present", "Where do you stand now?"),
    ("Future", "Where this is heading"),
)

TOWER = ("major-16", "The Tower", "major", None, None, ("upheaval", "revelation"),
         "Something built on shaky ground comes down so that the truth can show.")  # fmt: skip
STAR = ("major-17", "The Star", "major", None, None, ("hope", "renewal"),
        "After the storm, a quiet confidence returns and the way ahead feels lighter.")  # fmt: skip
HERMIT = ("major-09", "The Hermit", "major", None, None, ("solitude", "inner guidance"),
          "Stepping back from the noise lets your own lamp show the path.")  # fmt: skip
THREE_CUPS = ("cups-03", "Three of Cups", "minor", "cups", "water", ("friendship", "celebration"),
              "Shared joy and the support of friends lift the mood.")  # fmt: skip
SIX_CUPS = ("cups-06", "Six of Cups", "minor", "cups", "water", ("nostalgia", "kindness"),
            "Old memories and simple kindness soften the present.")  # fmt: skip
TEN_CUPS = ("cups-10", "Ten of Cups", "minor", "cups", "water", ("harmony", "family"),
            "Emotional fulfilment and a sense of home are within reach.")  # fmt: skip
ACE_WANDS = ("wands-01", "Ace of Wands", "minor", "wands", "fire", ("spark", "inspiration"),
             "A new idea arrives with the energy to begin.")  # fmt: skip
ACE_SWORDS = ("swords-01", "Ace of Swords", "minor", "swords", "air", ("clarity", "truth"),
              "A clear thought cuts through confusion.")  # fmt: skip
FIVE_PENTACLES = ("pentacles-05", "Five of Pentacles", "minor", "pentacles", "earth",
                  ("hardship", "exclusion"), "Money or health worries leave you feeling "
                  "out in the cold.")  # fmt: skip
QUEEN_SWORDS = ("swords-13", "Queen of Swords", "minor", "swords", "air", ("honesty", "clarity"),
                "A clear-eyed, independent voice tells it as it is.")  # fmt: skip
KNIGHT_WANDS = ("wands-12", "Knight of Wands", "minor", "wands", "fire", ("adventure", "haste"),
                "Bold energy charges ahead, sometimes before thinking.")  # fmt: skip

QUESTION = "Will I find peace with my family this year?"


def card(position: int, data: tuple, *, reversed: bool = False) -> DrawnCard:
    """A drawn card in one of the three-card positions."""
    name, prompt = POSITIONS[position - 1]
    card_id, card_name, arcana, suit, element, keywords, meaning = data
    return DrawnCard(position, name, prompt, card_id, card_name, arcana, suit, element,
                     reversed, keywords, meaning)  # fmt: skip


def reading(*cards: DrawnCard, question: str = QUESTION, spread: str = "Three Card"):
    """A reading context in English."""
    return ReadingContext(question=question, spread_name=spread, language="en", cards=cards)


def three(a: tuple, b: tuple, c: tuple, *, flips: tuple[bool, bool, bool] = (False,) * 3):
    """A three-card reading with the given orientations."""
    return reading(card(1, a, reversed=flips[0]), card(2, b, reversed=flips[1]),
                   card(3, c, reversed=flips[2]))  # fmt: skip


def synthesis(text: str) -> str:
    """The paragraph that comes just before the closing one."""
    return text.split("\n\n")[-2]


def keys(context: ReadingContext) -> set[str]:
    return {pattern.key for pattern in find_patterns(context.cards)}


MIXED = three(TOWER, THREE_CUPS, ACE_SWORDS)


def test_mentions_every_card_and_position() -> None:
    text = write_interpretation(MIXED)
    for drawn in MIXED.cards:
        assert drawn.card_name in text
        assert drawn.position_name in text
        assert drawn.meaning in text
        assert drawn.keywords[0] in text


def test_structure_is_opening_positions_synthesis_closing() -> None:
    paragraphs = write_interpretation(MIXED).split("\n\n")
    assert len(paragraphs) == len(MIXED.cards) + 3
    assert "Three Card spread" in paragraphs[0]
    assert QUESTION in paragraphs[0]
    for paragraph, drawn in zip(paragraphs[1:-2], MIXED.cards, strict=True):
        assert drawn.card_name in paragraph
        assert drawn.position_name in paragraph


def test_reversed_card_is_described_as_reversed() -> None:
    upright = write_interpretation(MIXED)
    flipped = three(TOWER, THREE_CUPS, ACE_SWORDS, flips=(False, True, False))
    text = write_interpretation(flipped)
    assert text != upright
    assert "reversed" in text.split("\n\n")[2]
    assert "reversed" not in upright.split("\n\n")[2]
    assert "upright" in upright.split("\n\n")[2]


def test_same_draw_gives_the_same_text() -> None:
    again = three(TOWER, THREE_CUPS, ACE_SWORDS)
    assert write_interpretation(MIXED) == write_interpretation(again)


def test_different_draws_give_different_text() -> None:
    other = three(STAR, SIX_CUPS, ACE_WANDS)
    assert write_interpretation(MIXED) != write_interpretation(other)
    asked_differently = replace(MIXED, question="What should I focus on at work?")
    assert write_interpretation(MIXED) != write_interpretation(asked_differently)


def test_phrasing_varies_between_draws() -> None:
    # Strip the card-specific words so only the template choice is compared.
    openings = set()
    for index, question in enumerate(f"Question number {n}?" for n in range(12)):
        text = write_interpretation(replace(MIXED, question=question))
        openings.add(text.split("\n\n")[0].replace(question, "").replace(str(index), ""))
    assert len(openings) > 1


def test_mostly_major_arcana_is_noticed() -> None:
    context = three(TOWER, STAR, ACE_SWORDS)
    assert "majors" in keys(context)
    assert "Major Arcana" in synthesis(write_interpretation(context))


def test_absence_of_major_arcana_is_noticed() -> None:
    context = three(THREE_CUPS, ACE_SWORDS, FIVE_PENTACLES)
    assert "no-majors" in keys(context)
    assert "Major Arcana" in synthesis(write_interpretation(context))


def test_balanced_arcana_is_not_mentioned() -> None:
    context = three(TOWER, THREE_CUPS, ACE_SWORDS)
    assert not keys(context) & {"majors", "no-majors"}
    assert "Major Arcana" not in synthesis(write_interpretation(context))


def test_three_cups_bring_water() -> None:
    context = three(THREE_CUPS, SIX_CUPS, TEN_CUPS)
    assert "suit:cups" in keys(context)
    text = synthesis(write_interpretation(context))
    assert "Cups" in text
    assert "water" in text


def test_no_dominant_suit_means_no_element() -> None:
    context = three(THREE_CUPS, ACE_SWORDS, FIVE_PENTACLES)
    assert not any(key.startswith("suit:") for key in keys(context))
    text = synthesis(write_interpretation(context))
    for element in ("water", "air", "earth", "fire"):
        assert element not in text


def test_many_reversals_are_noted() -> None:
    context = three(TOWER, THREE_CUPS, ACE_SWORDS, flips=(True, True, False))
    assert "reversals" in keys(context)
    assert "reversals" in synthesis(write_interpretation(context)).lower()


def test_few_reversals_are_not_noted() -> None:
    context = three(TOWER, THREE_CUPS, ACE_SWORDS, flips=(False, True, False))
    assert "reversals" not in keys(context)
    assert "reversals" not in synthesis(write_interpretation(context)).lower()


def test_repeated_aces_and_courts_are_noted() -> None:
    aces = three(ACE_WANDS, THREE_CUPS, ACE_SWORDS)
    assert "aces" in keys(aces)
    assert "Aces" in synthesis(write_interpretation(aces))
    courts = three(QUEEN_SWORDS, THREE_CUPS, KNIGHT_WANDS)
    assert "courts" in keys(courts)
    assert "court cards" in synthesis(write_interpretation(courts))
    assert not keys(MIXED) & {"aces", "courts"}


def test_closing_leans_on_the_last_position() -> None:
    closing = write_interpretation(MIXED).split("\n\n")[-1]
    assert "Ace of Swords" in closing
    assert "Future" in closing


@pytest.mark.parametrize(
    ("data", "flipped", "leaning"),
    [(STAR, False, "yes"), (STAR, True, "not yet"), (TOWER, False, "no")],
)
def test_one_card_gives_a_yes_no_leaning(data: tuple, flipped: bool, leaning: str) -> None:
    context = reading(card(1, data, reversed=flipped), spread="One Card")
    closing = write_interpretation(context).split("\n\n")[-1]
    assert re.search(rf"\b(towards|leans|to) {leaning}\b", closing)


def test_yes_no_spread_gives_a_leaning() -> None:
    context = replace(three(STAR, TEN_CUPS, ACE_WANDS), spread_name="Yes or No")
    closing = write_interpretation(context).split("\n\n")[-1]
    assert re.search(r"\b(towards|leans) yes\b", closing)


def test_health_question_suggests_a_professional() -> None:
    context = replace(MIXED, question="Will my health improve after the surgery?")
    assert "professional" in write_interpretation(context)
    assert "professional" not in write_interpretation(MIXED)


def test_other_languages_fall_back_to_english() -> None:
    french = replace(MIXED, language="fr")
    assert write_interpretation(french) == write_interpretation(MIXED)


async def test_generate_returns_the_written_text() -> None:
    provider = build(object())
    generation = await provider.generate(build_prompt(MIXED))
    assert isinstance(generation, Generation)
    assert generation.text == write_interpretation(MIXED)
    assert (generation.provider, generation.model) == ("offline", "offline-writer-1")
    assert generation.usage is None
    assert generation.latency_ms >= 0
    await provider.aclose()


async def test_stream_joins_to_the_generated_text() -> None:
    provider = OfflineProvider()
    prompt = build_prompt(MIXED)
    chunks = [chunk async for chunk in provider.stream(prompt)]
    assert len(chunks) > len(MIXED.cards)
    assert all(chunk.usage is None for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == (await provider.generate(prompt)).text
