"""The reader's structured answer for a stored draw, whoever writes the prose."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tarot.llm.reader.compose import Written


def named_sections(sections: list[dict], position_names: dict[int, str]) -> list[dict]:
    """The reader's sections with the position names the reading's cards are shown with."""
    return [
        item | {"position_name": position_names.get(item["position"], item["position_name"])}
        for item in sections
    ]


def structured_from(written: Written) -> dict:
    """The stored structured answer of one run of the reader (its text is `written.text`)."""
    plan, answer = written.plan, written.plan.answer
    texts = {item["position"]: item["text"] for item in written.sections}
    return {
        "answer": {
            "question_type": answer.question_type,
            "lean": answer.lean,
            "strength": answer.strength,
            "positions": list(answer.positions),
            "related_positions": written.plan.extra.get("related_positions", []),
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
