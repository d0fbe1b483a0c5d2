"""The closing half of a reading: spread patterns, the answer to the question, the advice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tarot.llm.reader.voice import OPTIONAL, Paragraph

if TYPE_CHECKING:
    from tarot.llm.reader.grammar import Grammar
    from tarot.llm.reader.patterns import Observation
    from tarot.llm.reader.plan import Plan, Section
    from tarot.llm.reader.voice import Voice

# How many spread patterns a reading names, by number of cards.
PATTERN_LIMITS = {1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4}


class Summary:
    """Mixed into the composer; relies on its card, line and voice helpers."""

    # What the composer provides; declared here so that the mixin's own code is checked.
    plan: Plan
    voice: Voice
    g: Grammar
    about: str
    other: str

    if TYPE_CHECKING:

        def _card(self, section: Section) -> str: ...
        def _cards(self, positions: Sequence[int]) -> str: ...
        def _entry(self, section: Section) -> dict: ...
        def _line(self, section: Section, key: str | tuple) -> str: ...
        def _off_topic(self, text: str) -> bool: ...

    def _observations(self) -> tuple[Observation, ...]:
        limit = PATTERN_LIMITS.get(len(self.plan.sections), 5)
        return self.plan.observations[:limit]

    def _synthesis(self) -> Paragraph:
        paragraph = Paragraph()
        words = self.g.words
        for item in self._observations():
            values = {
                "count": self.g.number(item.values.get("count", len(item.positions))),
                "total": self.g.number(item.values.get("total", len(self.plan.sections))),
                "expected": self.g.number(item.values.get("expected", 0)),
                "other": self.other,
                "cards": self._cards(item.positions),
            }
            if item.kind == "element_dominant":
                values["cards"] = self._cards(item.positions[:4])
            if "element" in item.values:
                values["element"] = words["elements"][item.values["element"]]
                values["domain"] = words["element_domains"][item.values["element"]]
            if "number" in item.values:
                values["number"] = self.g.number(item.values["number"])
                values["meaning"] = words["number_meanings"][str(item.values["number"])]
            if len(item.positions) >= 2:
                values["a"] = self._card(self.plan.section(item.positions[0]))
                values["b"] = self._card(self.plan.section(item.positions[1]))
            paragraph.add(self.voice.say(f"synthesis.{item.kind}", **values))
        return paragraph

    def _answer(self) -> tuple[Paragraph, str]:
        answer, voice, paragraph = self.plan.answer, self.voice, Paragraph()
        cards = self._cards(answer.positions)
        if answer.kind == "guarded":
            paragraph.add(voice.say("answer.guarded", about=self.about))
            self._open_summary(paragraph)
        elif answer.kind == "yes_no":
            slot = (
                "answer.unclear"
                if answer.lean == "unclear"
                else (f"answer.{answer.lean}.{'strong' if answer.strength >= 0.5 else 'mild'}")
            )
            paragraph.add(voice.say(slot, about=self.about, cards=cards))
            if answer.counter is not None:
                against = self.plan.section(answer.counter)
                theme = self._entry(against)["theme"]
                slot = "answer.caution" if answer.lean == "yes" else "answer.opening"
                paragraph.add(voice.say(slot, card=self._card(against), theme=theme))
        elif answer.kind == "either_or":
            first, second = map(self.g.quote, self.plan.analysis.options)
            paragraph.add(
                voice.say(f"answer.either_{answer.choice}", first=first, second=second, cards=cards)
            )
        elif answer.kind == "how":
            labels, said = self.g.words["step_labels"], list[str]()
            for position in answer.steps:
                section = self.plan.section(position)
                line = self.g.line(self._line(section, "advice"))
                label = labels[len(said) % len(labels)]
                step = voice.say("answer.step", label=label, card=self._card(section), line=line)
                if step:
                    said.append(step)
            if len(said) > 1:
                count = self.g.number(len(said))
                paragraph.add(voice.say("answer.how", about=self.about, count=count))
                for step in said:
                    paragraph.add(step)
            else:  # one card: its theme, and its advice closes the reading
                self._open_summary(paragraph)
        elif answer.kind == "when":
            paragraph.add(voice.say(f"answer.when.{answer.pace}", cards=cards))
            self._open_summary(paragraph)
        else:
            self._open_summary(paragraph)
        said_here = paragraph.written()
        summary = said_here[0] if said_here else ""
        if answer.kind == "how" and len(said_here) > 1:
            summary = said_here[1]
        return paragraph, summary

    def _open_summary(self, paragraph: Paragraph) -> None:
        focus = self.plan.section(self.plan.answer.focus or self.plan.sections[-1].position)
        theme = self._entry(focus)["theme"]
        paragraph.add(self.voice.say("answer.open", theme=theme, card=self._card(focus)))

    def _advice(self) -> tuple[Paragraph, str]:
        paragraph, position = Paragraph(), self.plan.answer.advice
        advice = ""
        if position is not None and self._off_topic(self._advice_line(position)):
            # Advice about a CV in a love reading: take the next card whose advice fits.
            steps = set(self.plan.answer.steps)
            fitting = [
                s.position
                for s in reversed(self.plan.sections)
                if s.position not in steps and not self._off_topic(self._advice_line(s.position))
            ]
            position = fitting[0] if fitting else position
        if position is not None:
            section = self.plan.section(position)
            advice = self._line(section, "advice")
            line = self.g.line(advice)
            paragraph.add(self.voice.say("advice.frame", card=self._card(section), line=line))
        elif self.plan.answer.steps:
            advice = self._advice_line(self.plan.answer.steps[0])
        closer = self.plan.section(position) if position is not None else self.plan.sections[-1]
        closing = self.voice.say("closing", about=self.about, card=self._card(closer))
        paragraph.add(closing, OPTIONAL)
        return paragraph, advice

    def _advice_line(self, position: int) -> str:
        return self._line(self.plan.section(position), "advice")
