"""The answer a reading gives: a lean with its strength, a choice, steps or a pace."""

from __future__ import annotations

from dataclasses import dataclass

from tarot.llm.reader.analysis import Analysis
from tarot.llm.reader.patterns import Placed, element

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
GUARDED = frozenset({"medical", "pregnancy", "legal", "money"})
LEAN_MARGIN = 0.03  # below this average polarity a yes/no stays genuinely undecided
STRONG = 0.5
COUNTER = 0.2  # a card pulling against the lean this hard (weight times polarity) gets named
# Elements set the pace for "when": fire moves in days, earth in seasons.
PACE = {"fire": 1.0, "air": 0.75, "water": 0.4, "earth": 0.1}


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
    counter: int | None = None  # the strongest card against the lean, named as the caution


def decide(analysis: Analysis, sections: list, placed: list[Placed]) -> Answer:
    """The answer the cards give to this kind of question."""
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
    against = sorted((item for item in weighted if item[0] * sign < 0), key=lambda i: sign * i[0])
    counter = against[0][1].position if against and abs(against[0][0]) >= COUNTER else None
    if kind == "yes_no":
        if abs(score) < LEAN_MARGIN:
            split = basis[:1] + ((counter,) if counter else ())
            return Answer(question_type, kind, "unclear", strength, split, advice=advice)
        lean = "yes" if score > 0 else "no"
        return Answer(question_type, kind, lean, strength, basis, advice=advice, counter=counter)
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
    if kind == "how" and len(sections) > 1:
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


def _advice_card(sections: list) -> int:
    for cls in ("advice", "outcome", "future", "single", "present"):
        for section in sections:
            if section.position_class == cls:
                return section.position
    return sections[-1].position


def _steps(sections: list) -> tuple[int, ...]:
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


def _pace(sections: list, placed: list[Placed]) -> str:
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
