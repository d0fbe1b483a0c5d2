"""A follow-up answer: the clarifier card read for the new question and against the first spread."""

from __future__ import annotations

from tarot.llm.base import DrawnCard, ReadingContext
from tarot.llm.reader import data
from tarot.llm.reader.plan import Plan, Section, make_plan
from tarot.llm.reader.voice import Voice, Written

# Stronger ties first: a shared suit speaks more plainly than a shared element.
RANKS = {"suit": 0, "major": 1, "element": 2, "contrast": 3}
ECHO_CLASSES = ("challenge", "advice", "outcome", "future", "present", "single")
MAX_LINKS = 2


def links(clarifier: DrawnCard, mine: Section, parent: ReadingContext, plan: Plan) -> list:
    """(kind, section, card) for the original positions the clarifier speaks to, strongest first."""
    found = []
    for section, card in zip(plan.sections, parent.cards, strict=True):
        kind = None
        if clarifier.suit and clarifier.suit == card.suit:
            kind = "suit"
        elif clarifier.arcana == "major" and card.arcana == "major":
            kind = "major"
        elif clarifier.element and clarifier.element == card.element:
            kind = "element"
        elif mine.polarity * section.polarity < 0 and abs(mine.polarity - section.polarity) >= 0.6:
            kind = "contrast"
        if kind:
            found.append((RANKS[kind], section.position, kind, section, card))
    found.sort(key=lambda item: item[:2])
    chosen = [(kind, section, card) for *_, kind, section, card in found[:MAX_LINKS]]
    if not chosen and plan.sections:  # no shared trait: it speaks to the position most at stake
        order = {cls: index for index, cls in enumerate(ECHO_CLASSES)}
        pairs = list(zip(plan.sections, parent.cards, strict=True))
        section, card = min(pairs, key=lambda p: order.get(p[0].position_class, len(order)))
        chosen = [("echo", section, card)]
    return chosen


def write_follow_up(
    context: ReadingContext, plan: Plan, voice: Voice, language: str, fallback: bool
) -> Written:
    """Four short paragraphs: the clarifier, what it says, the positions it ties to, the lean."""
    g, parent = voice.grammar, context.parent
    if parent is None:
        raise ValueError("a follow-up is written against its parent reading")
    parent_plan = make_plan(parent)
    clarifier, mine = context.cards[0], plan.sections[0]
    entry = _entry(language, mine, clarifier)
    card = g.card(mine.card_id, mine.card_name, mine.reversed)
    naming = data.phrases(language)["follow_up"]["position"]
    paragraphs = []
    if plan.safety_class:
        paragraphs.append(voice.say(f"safety.{plan.safety_class}"))
    paragraphs.append(
        voice.say("follow_up.opening", quote=g.quote(plan.analysis.question), card=card)
    )
    body = [voice.say("follow_up.card", card=card, line=g.line(entry["essence"][0]))]
    related = links(clarifier, mine, parent, parent_plan)
    for kind, section, other in related:
        body.append(
            voice.say(
                f"follow_up.link.{kind}",
                other=g.card(other.card_id, other.card_name, section.reversed),
                position=_position(naming, section),
            )
        )
    paragraphs.append(g.sentences(body))
    lean = "support" if mine.polarity > 0.2 else "caution" if mine.polarity < -0.2 else "mixed"
    summary = voice.say(f"follow_up.lean.{lean}")
    advice = voice.say("follow_up.close", card=card, line=g.line(entry["advice"]))
    paragraphs.append(g.sentences([summary, advice]))
    plan.extra["related_positions"] = [section.position for _, section, _ in related]
    sections = [{"position": mine.position, "text": paragraphs[-2]}]
    text = g.paragraphs(paragraphs)
    return Written(text, language, fallback, plan.safety_class, summary, advice, sections, plan)


def _position(naming: dict, section: Section) -> str:
    if naming.get("use_names"):
        return naming["name"].format(name=section.position_name)
    return naming["classes"].get(section.position_class) or section.position_name


def _entry(language: str, section: Section, card: DrawnCard) -> dict:
    orientation = "reversed" if section.reversed else "upright"
    for table in (data.card_lines(language), data.card_lines(data.DEFAULT_LANGUAGE)):
        entry = table.get(section.card_id, {}).get(orientation)
        if entry:
            return entry
    first = (card.meaning.split(". ")[0].rstrip(".") or card.card_name) + "."
    return {"essence": [first] * 3, "advice": first}
