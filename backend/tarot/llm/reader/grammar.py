"""Per-language grammar driven by the `grammar` block of a phrase file: no language in code."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from tarot.llm.reader import data
from tarot.llm.reader.patterns import rank

_DOUBLE_STOP = re.compile(r"([?!？！…])([”」』\"»]?)[.。]")
_TERMINAL = tuple(".!?。！？…")
_CLOSERS = '”」』"»)）'
_RANK_NAMES = {11: "page", 12: "knight", 13: "queen", 14: "king", 1: "ace"}


class Grammar:
    """Card references, quoting, lists, sentence finishing and length for one language."""

    def __init__(self, language: str):
        phrases = data.phrases(language)
        self.language = language
        self.rules = phrases["grammar"]
        self.words = phrases["words"]
        self.names = data.card_names(language) if language != data.DEFAULT_LANGUAGE else {}
        self.capitalize = bool(self.rules.get("capitalize"))
        self._contractions = tuple(self.rules.get("contractions", {}).items())
        self._sentence_end = self.rules.get("sentence_end", ".")
        self._cards: dict[tuple[str, str, bool], str] = {}
        self._lines: dict[str, str] = {}

    def card(self, card_id: str, name: str, reversed_: bool) -> str:
        """The card as it is named mid-sentence, with its orientation."""
        key = (card_id, name, reversed_)
        known = self._cards.get(key)
        if known is None:
            known = self._cards[key] = self._card(card_id, name, reversed_)
        return known

    def _card(self, card_id: str, name: str, reversed_: bool) -> str:
        rules = self.rules["card"]
        name = self.names.get(card_id, name)
        head, _, tail = name.partition(" ")
        gender = rules.get("gender_default", "m")
        if tail and head.lower() in rules.get("name_articles", ()):
            gender = rules.get("gender_by_article", {}).get(head.lower(), gender)
            named = f"{head.lower()} {tail}"
        else:
            number = rank(card_id)
            by_rank = rules.get("gender_by_rank", {})
            gender = by_rank.get(_RANK_NAMES.get(number or 0, ""), gender)
            article = rules.get("articles", {}).get(gender, "")
            bare = card_id in rules.get("bare", ()) or not article
            named = name if bare else f"{article} {name}"
        template = rules["reversed" if reversed_ else "upright"]
        if isinstance(template, dict):
            template = template.get(gender) or next(iter(template.values()))
        return template.format(name=named)

    def join(self, items: list[str]) -> str:
        """A list as prose: "A, B and C"."""
        if len(items) <= 1:
            return "".join(items)
        return self.rules["list_sep"].join(items[:-1]) + self.rules["list_last"] + items[-1]

    def number(self, value: int) -> str:
        """A number word, or digits past the table."""
        numbers = self.rules.get("numbers", [])
        return numbers[value] if 0 <= value < len(numbers) else str(value)

    def quote(self, question: str) -> str:
        """The question in quote marks, cut to the first `question_limit` units."""
        limit = int(self.rules.get("question_limit", 12))
        opening, closing = self.rules["quote"]
        if self.rules.get("unit") == "characters":
            cut = question if len(question) <= limit else question[:limit]
        else:
            words = question.split()
            cut = " ".join(words[:limit])
        if cut != question:
            cut = cut.rstrip(" ,;:，、；：") + self.rules.get("ellipsis", "…")
        return f"{opening}{cut}{closing}"

    def line(self, text: str) -> str:
        """A card line made ready to follow a lead-in: first letter lowered where it is safe."""
        known = self._lines.get(text)
        if known is None:
            known = self._lines[text] = self._line(text)
        return known

    def _line(self, text: str) -> str:
        text = " ".join(text.split()) if self.rules.get("spaces", True) else text.strip()
        first_word = text.split(" ", 1)[0]
        rest = first_word[1:].strip(",.;:'")
        if self.capitalize and first_word[:1].isupper() and (not rest or rest.islower()):
            if first_word not in ("I", "I'm", "I've", "I'd", "I'll"):
                return text[0].lower() + text[1:]
        return text

    def finish(self, sentence: str) -> str:
        """Capital first letter, final punctuation, contractions, no stop after a ? or !."""
        sentence = sentence.strip()
        if not sentence:
            return sentence
        for old, new in self._contractions:
            sentence = sentence.replace(old, new)
        if self.capitalize:
            first = sentence[0]
            if first.isalnum():  # the usual case, without scanning for the first letter
                sentence = first.upper() + sentence[1:]
            else:
                index = next((i for i, char in enumerate(sentence) if char.isalnum()), 0)
                sentence = sentence[:index] + sentence[index].upper() + sentence[index + 1 :]
        if not sentence.rstrip(_CLOSERS).endswith(_TERMINAL):
            sentence += self._sentence_end
        # A search first: most sentences have no double stop, and sub() parses its template.
        if _DOUBLE_STOP.search(sentence) is None:
            return sentence
        return _DOUBLE_STOP.sub(r"\1\2", sentence)

    def sentences(self, parts: list[str]) -> str:
        """Sentences joined into a paragraph."""
        return self.rules.get("sentence_join", " ").join(part for part in parts if part)

    def paragraphs(self, parts: list[str]) -> str:
        """Paragraphs joined into a reading."""
        return self.rules.get("paragraph_join", "\n\n").join(part for part in parts if part)

    def length(self, text: str) -> int:
        """Length in the language's unit: words, or characters without spaces and punctuation."""
        if self.rules.get("unit") == "characters":
            return sum(1 for char in text if unicodedata.category(char)[0] in "LN")
        return len(text.split())

    def band(self, count: int) -> tuple[int, int]:
        """The length band for a spread of `count` cards (nearest listed size)."""
        bands = {int(key): value for key, value in self.rules["bands"].items()}
        nearest = min(bands, key=lambda size: (abs(size - count), size))
        return tuple(bands[nearest])


@cache
def grammar(language: str) -> Grammar:
    """The grammar of one language, built once."""
    return Grammar(language)
