"""The reader's structured answer for a stored draw, whoever writes the prose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tarot.config import Settings
from tarot.data.translations import DEFAULT_LANGUAGE, catalog_language
from tarot.db.models import Reading
from tarot.db.session import Database
from tarot.llm.base import DrawnCard, ReadingContext
from tarot.schemas.cards import CardRead
from tarot.schemas.spreads import SpreadPosition, SpreadRead
from tarot.services.cache import Cache
from tarot.services.spreads import lay_out


def reading_context(
    *,
    question: str,
    language: str,
    reversals: bool,
    spread: SpreadRead,
    layout: Sequence[tuple[SpreadPosition, CardRead, bool]],
) -> ReadingContext:
    """A laid-out draw as the writers see it."""
    drawn = tuple(
        DrawnCard(
            position=place.position,
            position_name=place.name,
            position_prompt=place.prompt,
            card_id=card.id,
            card_name=card.name,
            arcana=card.arcana.value,
            suit=card.suit.value if card.suit else None,
            element=card.element,
            reversed=flipped,
            keywords=tuple(card.keywords_reversed if flipped else card.keywords_upright),
            meaning=card.meaning_reversed if flipped else card.meaning_upright,
        )
        for place, card, flipped in layout
    )
    return ReadingContext(question, spread.name, language, drawn, reversals)


async def stored_context(
    *, db: Database, cache: Cache, image_base_url: str, reading: Reading
) -> ReadingContext:
    """A stored reading's draw in English (the reader classifies positions on it) and, when
    the catalog has the reading's language, in that language too, for LLM prompts."""
    contexts = []
    for language in dict.fromkeys((DEFAULT_LANGUAGE, catalog_language(reading.language))):
        spread, layout = await lay_out(
            db=db,
            cache=cache,
            image_base_url=image_base_url,
            slug=reading.spread_slug,
            laid=reading.cards,
            language=language,
        )
        contexts.append(
            reading_context(
                question=reading.question,
                language=reading.language,
                reversals=reading.reversals,
                spread=spread,
                layout=layout,
            )
        )
    english, *localized = contexts
    return replace(english, localized=localized[0]) if localized else english


def named_sections(sections: list[dict], position_names: dict[int, str]) -> list[dict]:
    """The reader's sections with the position names the reading's cards are shown with."""
    return [
        item | {"position_name": position_names.get(item["position"], item["position_name"])}
        for item in sections
    ]


def structured(*, context: ReadingContext, settings: Settings) -> dict:
    """The answer, per-position sections and safety class, as stored with the reading."""
    from tarot.llm.reader.compose import write  # the reader's data loads on first use

    written = write(context, crisis_text=settings.crisis_text)
    plan, answer = written.plan, written.plan.answer
    texts = {item["position"]: item["text"] for item in written.sections}
    return {
        "answer": {
            "question_type": answer.question_type,
            "lean": answer.lean,
            "strength": answer.strength,
            "positions": list(answer.positions),
            "summary": written.summary,
            "advice": written.advice,
        },
        "sections": [
            {
                "position": section.position,
                "position_name": section.position_name,
                "position_class": section.position_class,
                "card_id": section.card_id,
                "reversed": section.reversed,
                "text": texts.get(section.position, ""),
            }
            for section in plan.sections
        ],
        "safety_class": plan.safety_class,
        "language": written.language,
        "language_fallback": written.language_fallback,
    }
