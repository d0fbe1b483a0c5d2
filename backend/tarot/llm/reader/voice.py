"""Seeded choice of phrasing, one reading's memory of what it said, and the result shape."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from tarot.llm.reader import data
from tarot.llm.reader.grammar import Grammar, grammar

if TYPE_CHECKING:
    from tarot.llm.reader.plan import Plan

OPTIONAL, PADDING = 1, 2  # sentence kinds the length control may drop or add
# A sentence, or for padding the callable that writes it, called only if the reading is short.
Sentence = str | Callable[[], str]


@dataclass(slots=True)
class Written:
    """A composed reading and the structured parts taken from it."""

    text: str
    language: str
    language_fallback: bool
    safety_class: str | None
    summary: str
    advice: str
    sections: list[dict]
    plan: Plan


@dataclass(slots=True)
class Paragraph:
    sentences: list[tuple[Sentence, int]] = field(default_factory=list)
    position: int | None = None

    def add(self, text: Sentence, kind: int = 0) -> None:
        """A sentence; padding may be a callable, only called if the reading is too short."""
        if text:
            self.sentences.append((text, kind))

    def written(self, *, skip: int | None = None) -> list[str]:
        """The sentences written so far, without those of kind `skip`; held padding is not."""
        return [t for t, kind in self.sentences if kind != skip and isinstance(t, str)]


@cache
def _variant_words(language: str, tone: str, slot: str) -> tuple[frozenset[str], ...]:
    """The literal words of each variant of a slot, lower-cased, computed once."""
    phrases = data.phrases(language)
    variants = phrases.get("tones", {}).get(tone, {}).get(slot) or phrases["slots"][slot]
    return tuple(
        frozenset(
            w[:4] for w in text.lower().replace(",", "").split() if len(w) > 3 and "{" not in w
        )
        for text in variants
    )


@lru_cache(maxsize=4096)  # card lines are a bounded set; a question in a line is not
def _head_words(line: str) -> frozenset[str]:
    """The stems of a line's longer words, lower-cased."""
    return frozenset(w.strip(",.;:").lower()[:4] for w in line.split() if len(w.strip(",.;:")) > 3)


class Voice:
    """Seeded choice among a slot's variants, never the same sentence twice in a reading."""

    def __init__(self, language: str, seed: int, tone: str | None):
        phrases = data.phrases(language)
        self.language, self.tone_name = language, tone or ""
        self.slots, self.tone = phrases["slots"], phrases.get("tones", {}).get(tone or "", {})
        self.grammar: Grammar = grammar(language)
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.lines: set[str] = set()  # card lines already said, in whatever frame
        self.turns: dict[str, list[int]] = {}

    def say(self, slot: str, **values: str) -> str:
        line = values.get("line")
        if line is not None and line in self.lines:
            return ""
        variants = self.tone.get(slot) or self.slots[slot]
        order = self.turns.get(slot)
        if order is None:
            # A seeded starting point in the list, then round in turn: cheap and never repeats.
            start = self.rng.randrange(len(variants))
            order = self.turns[slot] = [*range(start, len(variants)), *range(start)]
        if line and self.grammar.rules.get("spaces", True):
            # A frame that repeats the line's opening words ("Around you, ... around you") is
            # tried last.
            # Compared by stem, so "The test here..." and "...what tests you" clash too.
            head = _head_words(line)
            words = _variant_words(self.language, self.tone_name, slot)
            clash = [i for i in order if head & words[i]]
            if clash:
                order[:] = [i for i in order if i not in clash] + clash
        for _ in range(len(order)):
            index = order.pop(0)
            order.append(index)
            text = variants[index].format_map(values)
            sentence = self.grammar.finish(text)
            if sentence not in self.used:
                self.used.add(sentence)
                if line is not None:
                    self.lines.add(line)
                return sentence
        return ""

    def once(self, text: str) -> str:
        sentence = self.grammar.finish(text)
        if sentence in self.used:
            return ""
        self.used.add(sentence)
        return sentence
