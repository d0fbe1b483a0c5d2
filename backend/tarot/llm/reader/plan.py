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
from tarot.llm.reader.patterns import Observation, Placed, element, observe

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
# How much each class weighs in the answer: where things lead counts most, the past least.
WEIGHTS = {
    "outcome": 2.0,
    "future": 1.5,
    "single": 1.0,
    "present": 1.0,
    "crown": 1.0,
    "connection": 1.0,
    "advice": 0.8,
    "self": 0.8,
    "other": 0.8,
    "challenge": 0.6,
    "foundation": 0.6,
    "hidden": 0.5,
    "environment": 0.5,
    "hopes_fears": 0.4,
    "past": 0.4,
}
TOPIC_LINES = {
    "career": "career",
    "study": "career",
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
LEAN_MARGIN = 0.06  # below this average polarity a yes/no stays genuinely undecided
STRONG = 0.5
# Elements set the pace for "when": fire moves in days, earth in seasons.
PACE = {"fire": 1.0, "air": 0.75, "water": 0.4, "earth": 0.1}


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
class Answer:
    """The verdict-shaped part: what kind of answer, which way, how firmly, and on what."""

    question_type: str
    kind: str  # yes_no | either_or | how | when | open | guarded | crisis
    lean: str  # yes | no | unclear | not_applicable
    strength: float
    positions: tuple[int, ...]
    choice: str | None = None  # "first" | "second" | "even" for either/or
    pace: str | None = None  # soon | months | later | depends for "when"
    steps: tuple[int, ...] = ()
    focus: int | None = None  # the card an open question's summary rests on
    advice: int | None = None  # the card whose advice line closes the reading


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
    meta = data.card_meta()
    sections = []
    for card in cards:
        cls = position_class(card.position_name, card.position_prompt, count=len(cards))
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
    answer = _answer(analysis, sections, placed)
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


def _answer(analysis: Analysis, sections: list[Section], placed: list[Placed]) -> Answer:
    kind, question_type = analysis.question_type, analysis.question_type
    if not sections:
        return Answer(question_type, "open", "not_applicable", 0.0, ())
    weighted = [(WEIGHTS.get(s.position_class, 0.8) * s.polarity, s) for s in sections]
    total = sum(WEIGHTS.get(s.position_class, 0.8) for s in sections)
    score = sum(value for value, _ in weighted) / total
    strength = round(min(1.0, abs(score) / 0.6), 2)
    advice = _advice_card(sections)
    if analysis.safety_class == "crisis":
        return Answer(question_type, "crisis", "not_applicable", 0.0, ())
    if analysis.safety_class in GUARDED:
        kind = "guarded"
    sign = 1 if score >= 0 else -1
    basis = tuple(
        s.position
        for value, s in sorted(weighted, key=lambda item: -sign * item[0])
        if value * sign > 0
    )[:3] or (sections[-1].position,)
    if kind == "yes_no":
        lean = "unclear" if abs(score) < LEAN_MARGIN else ("yes" if score > 0 else "no")
        return Answer(question_type, kind, lean, strength, basis, advice=advice)
    if kind == "either_or":
        choice = "even" if abs(score) < LEAN_MARGIN else ("first" if score > 0 else "second")
        return Answer(
            question_type, kind, "not_applicable", strength, basis, choice=choice, advice=advice
        )
    if kind == "when":
        return Answer(
            question_type,
            kind,
            "not_applicable",
            strength,
            basis,
            pace=_pace(sections, placed),
            advice=advice,
        )
    if kind == "how":
        steps = _steps(sections)
        rest = [s.position for s in sections if s.position not in steps]
        closing = advice if advice not in steps else (rest[-1] if rest else None)
        return Answer(
            question_type, kind, "not_applicable", strength, steps, steps=steps, advice=closing
        )
    focus = max(sections, key=lambda s: (WEIGHTS.get(s.position_class, 0.8), s.position))
    positions = basis if kind == "guarded" else (focus.position,)
    return Answer(
        question_type,
        kind,
        "not_applicable",
        strength,
        positions,
        focus=focus.position,
        advice=advice,
    )


def _advice_card(sections: list[Section]) -> int:
    for cls in ("advice", "outcome", "future", "single", "present"):
        for section in sections:
            if section.position_class == cls:
                return section.position
    return sections[-1].position


def _steps(sections: list[Section]) -> tuple[int, ...]:
    order = (
        "advice",
        "challenge",
        "self",
        "present",
        "outcome",
        "future",
        "single",
        "crown",
        "connection",
        "other",
        "foundation",
        "environment",
        "hidden",
        "hopes_fears",
        "past",
    )
    ranked = sorted(
        sections,
        key=lambda s: order.index(s.position_class) if s.position_class in order else len(order),
    )
    return tuple(s.position for s in ranked[: 3 if len(sections) >= 5 else 2])


def _pace(sections: list[Section], placed: list[Placed]) -> str:
    ahead = [
        p
        for s, p in zip(sections, placed, strict=True)
        if s.position_class in ("future", "outcome", "present", "single", "crown")
    ]
    ahead = ahead or placed
    if sum(p.reversed for p in ahead) * 2 > len(ahead):
        return "depends"
    speeds = [PACE.get(element(p) or "", 0.5) - (0.25 if p.reversed else 0.0) for p in ahead]
    speed = sum(speeds) / len(speeds)
    return "soon" if speed >= 0.65 else "months" if speed >= 0.35 else "later"
