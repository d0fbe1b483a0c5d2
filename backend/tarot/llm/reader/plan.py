"""The plan of a reading: pure, language-neutral data shared by the composer and the LLM prompt."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from tarot.llm.base import DrawnCard, ReadingContext
from tarot.llm.reader import data
from tarot.llm.reader.analysis import Analysis, analyse
from tarot.llm.reader.answer import Answer, decide
from tarot.llm.reader.patterns import Observation, Placed, observe

# Which card line each position class reads: a `positions` key, or the card's advice/essence.
CLASS_LINES = {
    "past": "past",
    "present": "present",
    "future": "future",
    "outcome": "future",
    "challenge": "challenge",
    "foundation": "foundation",
    "crown": "future",
    "self": "self",
    "other": "other",
    "connection": "present",
    "environment": "environment",
    "hopes_fears": "hopes_fears",
    "hidden": "foundation",
    "advice": "advice",
    "single": "essence",
}
TOPIC_LINES = {
    "career": "career",
    "love": "love",
    "family": "family",
    "money": "money",
    "wellbeing": "wellbeing",
}
TOPIC_CLASSES = frozenset(
    {
        "present",
        "future",
        "outcome",
        "single",
        "challenge",
        "connection",
        "crown",
        "advice",
        "self",
        "other",
    }
)
GUARDED = frozenset({"medical", "pregnancy", "legal", "money"})
SAFETY_TOPICS = {"medical": "wellbeing", "pregnancy": "wellbeing", "money": "money"}


@dataclass(frozen=True, slots=True)
class Section:
    """One position: its class, its card, and which lines of the card data speak for it."""

    position: int
    position_name: str
    position_class: str
    card_id: str
    card_name: str
    reversed: bool
    line: str  # a `positions` key, "advice" or "essence"
    second: tuple[str, str | int] | None  # ("topics", "career") or ("essence", 1)
    polarity: float
    release: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything decided about a reading before a word is written."""

    analysis: Analysis
    safety_class: str | None
    reversals: bool
    seed: int
    sections: tuple[Section, ...]
    observations: tuple[Observation, ...]
    answer: Answer
    extra: dict = field(default_factory=dict)

    def section(self, position: int) -> Section:
        """The section of one position number."""
        return next(item for item in self.sections if item.position == position)

    def as_dict(self) -> dict:
        """A JSON-ready summary for the LLM prompt and for storage."""
        answer = self.answer
        return {
            "analysis": self.analysis.as_dict(),
            "safety_class": self.safety_class,
            "answer": {
                "question_type": answer.question_type,
                "kind": answer.kind,
                "lean": answer.lean,
                "strength": answer.strength,
                "positions": list(answer.positions),
                "choice": answer.choice,
                "pace": answer.pace,
                "steps": list(answer.steps),
            },
            "sections": [
                {
                    "position": s.position,
                    "class": s.position_class,
                    "card_id": s.card_id,
                    "reversed": s.reversed,
                }
                for s in self.sections
            ],
            "patterns": [
                {"kind": o.kind, "positions": list(o.positions)} for o in self.observations
            ],
        }


def seed_for(question: str, cards: Sequence[DrawnCard]) -> int:
    """A stable number from the question and the draw, so two questions on one draw differ."""
    parts = [question, *(f"{card.card_id}:{'R' if card.reversed else 'U'}" for card in cards)]
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


@cache
def _clues() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p, re.I), name) for p, name in data.position_classes()["clues"])


def position_class(name: str, prompt: str = "", *, count: int = 0) -> str:
    """The class of a position, from its name, else from clues in its name and prompt."""
    if count == 1:
        return "single"
    table = data.position_classes()
    known = table["names"].get(name.strip().lower())
    if known:
        return known
    text = f"{name} {prompt}"
    return next((cls for pattern, cls in _clues() if pattern.search(text)), table["default"])


def make_plan(context: ReadingContext, analysis: Analysis | None = None) -> Plan:
    """Decide the whole reading: safety, sections, patterns and the answer."""
    analysis = analysis or analyse(context.question, context.language)
    reversals = getattr(context, "reversals", True)
    cards = context.cards
    seed = seed_for(analysis.question, cards)
    rng = random.Random(seed)
    safety = analysis.safety_class
    topic = SAFETY_TOPICS.get(safety or "", analysis.topic)
    focus = getattr(context, "focus", None)
    if topic == "general" and focus:  # the question names no area: the chosen focus steers
        topic = focus
    meta = data.card_meta()
    sections = []
    for card in cards:
        cls = getattr(card, "position_class", None) or position_class(
            card.position_name, card.position_prompt, count=len(cards)
        )
        flipped = card.reversed and reversals
        facts = meta.get(card.card_id, {}).get("reversed" if flipped else "upright", {})
        line = CLASS_LINES.get(cls, "present")
        second = _second(cls, topic, line, rng)
        sections.append(
            Section(
                card.position,
                card.position_name,
                cls,
                card.card_id,
                card.card_name,
                flipped,
                line,
                second,
                float(facts.get("polarity", 0.0)),
                bool(facts.get("release")),
            )
        )
    placed = [_placed(section, card) for section, card in zip(sections, cards, strict=True)]
    observations = tuple(observe(placed, reversals=reversals))
    answer = decide(analysis, sections, placed)
    return Plan(
        analysis, safety, reversals, seed, tuple(sections), observations, answer, {"topic": topic}
    )


def _second(cls: str, topic: str, line: str, rng: random.Random) -> tuple[str, str | int] | None:
    essence = ("essence", rng.randrange(3))
    if TOPIC_LINES.get(topic) and cls in TOPIC_CLASSES:
        return ("topics", TOPIC_LINES[topic])
    return None if line == "essence" and not TOPIC_LINES.get(topic) else essence


def _placed(section: Section, card: DrawnCard) -> Placed:
    return Placed(
        section.position,
        section.position_class,
        card.card_id,
        card.arcana,
        card.suit,
        card.element,
        section.reversed,
        section.polarity,
    )
