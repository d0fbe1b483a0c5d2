"""Compose a plan into prose in one language: phrase data, card lines, no sentence twice."""

from __future__ import annotations

from functools import partial

from tarot.llm.base import ReadingContext
from tarot.llm.reader import data
from tarot.llm.reader.analysis import topic_counts
from tarot.llm.reader.plan import TOPIC_LINES, Plan, Section, make_plan
from tarot.llm.reader.summary import Summary
from tarot.llm.reader.voice import OPTIONAL, PADDING, Paragraph, Voice, Written

RIVALS = {"career": "love", "study": "love", "love": "career", "money": "love"}


def write(
    context: ReadingContext,
    plan: Plan | None = None,
    *,
    crisis_text: str | None = None,
    tone: str | None = None,
) -> Written:
    """The whole reading in the requested language, or in English when that one is missing."""
    plan = plan or make_plan(context)
    language = data.resolve(context.language)
    # A fallback is another language, not another variant of it (zh -> zh-TW, en-GB -> en).
    fallback = _primary(language) != _primary(context.language or data.DEFAULT_LANGUAGE)
    voice = Voice(language, plan.seed, tone or getattr(context, "tone", None))
    if plan.safety_class == "crisis":
        return _crisis(plan, voice, language, fallback, crisis_text)
    if getattr(context, "parent", None) is not None and plan.sections:
        from tarot.llm.reader.follow_up import write_follow_up

        return write_follow_up(context, plan, voice, language, fallback)
    if not plan.sections:  # nothing drawn: say so plainly rather than invent a reading
        opening = voice.say("opening.question", quote=voice.grammar.quote(context.question),
                            count=voice.grammar.number(0))  # fmt: skip
        return Written(opening, language, fallback, plan.safety_class, opening, "", [], plan)
    return _Composer(context, plan, voice, language, fallback).run()


def _primary(tag: str) -> str:
    return tag.lower().split("-", 1)[0]


def _crisis(plan: Plan, voice: Voice, language: str, fallback: bool, care: str | None) -> Written:
    care_line = voice.once(care) if care else voice.say("safety.crisis.care")
    parts = [
        voice.say("safety.crisis.support"),
        care_line,
        voice.say("safety.crisis.cards"),
        voice.say("safety.crisis.close"),
    ]
    text = voice.grammar.paragraphs(parts)
    sections = [{"position": s.position, "text": ""} for s in plan.sections]
    summary = parts[0].split(". ")[0].rstrip(".") + "." if language == "en" else parts[0]
    return Written(text, language, fallback, "crisis", summary, care_line, sections, plan)


class _Composer(Summary):
    """Sections, opening and length; the synthesis, answer and advice come from Summary."""

    def __init__(self, context: ReadingContext, plan: Plan, voice: Voice, language, fallback):
        self.context, self.plan, self.voice, self.g = context, plan, voice, voice.grammar
        self.language, self.fallback = language, fallback
        self.lines = data.card_lines(language)
        self.english = data.card_lines(data.DEFAULT_LANGUAGE)
        self.meanings = {card.card_id: card.meaning for card in context.cards}
        analysis = plan.analysis
        # An either/or question is about its two options, already named; no subject to repeat.
        same = analysis.language == language and analysis.question_type != "either_or"
        topic = self.topic = plan.extra.get("topic", analysis.topic)
        self.about = (
            analysis.subject
            if same and analysis.subject
            else self.g.words["topics"].get(topic, self.g.words["topics"]["general"])
        )
        self.other: str = (
            (analysis.subject or "")  # a person found in the question always has a name
            if same and analysis.subject_is_person
            else self.g.words["other_person"]
        )
        self.reversal_said = any(
            o.kind in ("reversals_many", "reversals_all") for o in self._observations()
        )

    def run(self) -> Written:
        plan, voice = self.plan, self.voice
        paragraphs: list[Paragraph] = []
        if plan.safety_class:
            care = Paragraph()
            care.add(voice.say(f"safety.{plan.safety_class}"))
            paragraphs.append(care)
        paragraphs.append(self._opening())
        section_paragraphs = [self._section(section) for section in plan.sections]
        paragraphs.extend(section_paragraphs)
        synthesis = self._synthesis()
        answer, summary = self._answer()
        advice_paragraph, advice = self._advice()
        paragraphs.extend([synthesis, answer, advice_paragraph])
        self._fit_length(paragraphs, section_paragraphs)
        text = self.g.paragraphs([self._text(p) for p in paragraphs])
        sections = [{"position": p.position, "text": self._text(p)} for p in section_paragraphs]
        return Written(
            text, self.language, self.fallback, plan.safety_class, summary, advice, sections, plan
        )

    # --- lines from the card data ---

    def _entry(self, section: Section) -> dict:
        orientation = "reversed" if section.reversed else "upright"
        for table in (self.lines, self.english):
            entry = table.get(section.card_id, {}).get(orientation)
            if entry:
                return entry
        meaning = self.meanings.get(section.card_id, "") or section.card_name
        first = meaning.split(". ")[0].rstrip(".") + "."
        return {
            "theme": section.card_name,
            "essence": [first] * 3,
            "advice": first,
            "topics": {},
            "positions": {},
        }

    def _line(self, section: Section, key: str | tuple) -> str:
        entry = self._entry(section)
        if key == "advice":
            return entry["advice"]
        if key == "essence":
            return entry["essence"][section.position % 3]
        if isinstance(key, tuple):
            group, name = key
            if group == "essence":
                return entry["essence"][int(name)]
            return entry.get("topics", {}).get(name) or entry["essence"][0]
        return entry.get("positions", {}).get(key) or entry["essence"][0]

    def _card(self, section: Section) -> str:
        return self.g.card(section.card_id, section.card_name, section.reversed)

    def _name(self, section: Section) -> str:
        return self.g.card(section.card_id, section.card_name, False)

    def _cards(self, positions) -> str:
        return self.g.join([self._card(self.plan.section(p)) for p in positions])

    # --- paragraphs ---

    def _opening(self) -> Paragraph:
        paragraph = Paragraph()
        count = len(self.plan.sections)
        quote = self.g.quote(self.plan.analysis.question)
        slot = "opening.question_single" if count == 1 else "opening.question"
        paragraph.add(self.voice.say(slot, quote=quote, count=self.g.number(count)))
        if self.plan.analysis.subject:  # naming a bare topic back adds nothing
            paragraph.add(self.voice.say("opening.focus", about=self.about), OPTIONAL)
        return paragraph

    def _section(self, section: Section) -> Paragraph:
        paragraph = Paragraph(position=section.position)
        raw, second = self._line(section, section.line), section.second
        card_topic = TOPIC_LINES.get(self.topic)
        if card_topic and self._off_topic(raw):
            # A romance line in a career reading (or the reverse) gives way to the topic line.
            raw = self._line(section, ("topics", card_topic))
            second = (
                ("essence", section.position % 3) if second == ("topics", card_topic) else second
            )
        if second and second[0] == "essence" and self._off_topic(self._line(section, second)):
            second = None
        line = self.g.line(raw)
        paragraph.add(
            self.voice.say(
                f"section.{section.position_class}",
                card=self._card(section),
                line=line,
                other=self.other,
            )
        )
        if section.reversed and section.release:
            paragraph.add(self.voice.say("reversal.release", name=self._name(section)))
        elif section.reversed and not self.reversal_said:
            self.reversal_said = True
            paragraph.add(self.voice.say("reversal.note", name=self._name(section)))
        if second is not None:
            slot = "section.topic" if second[0] == "topics" else "section.essence"
            text = self.g.line(self._line(section, second))
            paragraph.add(self.voice.say(slot, about=self.about, line=text), OPTIONAL)
        spares: list[str | tuple] = [
            ("essence", (section.position + shift) % 3) for shift in (1, 2)
        ]
        if section.position_class == "single":  # one card carries the whole length band
            spares += ["present", "future"]
        for spare in spares:  # held back, and added only to reach the length band
            if second != spare:
                paragraph.add(partial(self._pad, section, spare), PADDING)
        return paragraph

    def _pad(self, section: Section, key: str | tuple) -> str:
        raw = self._line(section, key)
        if self._off_topic(raw):
            return ""
        return self.voice.say("section.essence", line=self.g.line(raw))

    def _off_topic(self, text: str) -> bool:
        rival = RIVALS.get(self.topic)
        return bool(rival and topic_counts(self.language, text)[rival])

    # --- length ---

    def _text(self, paragraph: Paragraph) -> str:
        return self.g.sentences(paragraph.written(skip=PADDING))

    def _fit_length(self, paragraphs: list[Paragraph], sections: list[Paragraph]) -> None:
        low, high = self.g.band(len(sections))
        size = sum(self.g.length(self._text(p)) for p in paragraphs)
        grown = True
        while size < low and grown:  # pad with held-back essence lines, one per section in turn
            grown = False
            for paragraph in sections:
                held = [i for i, (_, kind) in enumerate(paragraph.sentences) if kind == PADDING]
                if held and size < low:
                    make, _ = paragraph.sentences[held[0]]
                    text = make() if callable(make) else make
                    paragraph.sentences[held[0]] = (text, 0)
                    size += self.g.length(text)
                    grown = True
        for paragraph in [*reversed(sections), *paragraphs]:  # trim optional lines, last first
            if size <= high:
                break
            kept = [(t, k) for t, k in paragraph.sentences if k != OPTIONAL]
            size -= sum(
                self.g.length(t)
                for t, k in paragraph.sentences
                if k == OPTIONAL and isinstance(t, str)
            )
            paragraph.sentences = kept
