"""Question analysis: type, topic, subject, timeframe and safety class, from lexicon data."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache

from tarot.llm.reader import data

QUESTION_TYPES = ("yes_no", "either_or", "how", "when", "open")
TOPICS = ("career", "love", "family", "money", "wellbeing", "home", "study", "spiritual", "general")
SAFETY_CLASSES = ("crisis", "medical", "pregnancy", "legal", "money")
_CJK = re.compile("[\u4e00-\u9fff]")
_SENTENCES = re.compile(r"(?<=[.!?。！？])\s*")
_EDGE = re.compile(r"^[\s¿¡\"'“”«»「」『』(]+|[\s?？!！.。…\"'“”«»「」『』)]+$")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a question asks, about what, and whether it needs care first."""

    question: str
    language: str  # the lexicon that read it best
    question_type: str
    topic: str
    subject: str | None = None
    subject_is_person: bool = False
    timeframe: str | None = None
    options: tuple[str, ...] = field(default_factory=tuple)
    safety_class: str | None = None

    def as_dict(self) -> dict:
        """A JSON-ready view for storage and the LLM prompt."""
        return {
            "question_type": self.question_type,
            "topic": self.topic,
            "subject": self.subject,
            "timeframe": self.timeframe,
            "options": list(self.options),
            "safety_class": self.safety_class,
            "language": self.language,
        }


def fold(text: str) -> str:
    """Lower case without accents, one character for one, so match spans fit the original."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    lower = char.lower()
    return unicodedata.normalize("NFD", lower if len(lower) == 1 else char)[0]


def _plain(pattern: str) -> str:
    """A pattern without accents, so it matches folded text; case is left to re.I."""
    return "".join(unicodedata.normalize("NFD", char)[0] for char in pattern)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    language: str
    raw: dict
    types: tuple[tuple[str, re.Pattern | None, tuple[str, ...]], ...]
    topics: re.Pattern
    topic_order: tuple[str, ...]
    safety: re.Pattern
    subjects: tuple[tuple[re.Pattern, str, bool], ...]
    timeframes: tuple[re.Pattern, ...]


@cache
def _compiled(language: str) -> _Lexicon:
    raw = data.lexicon(language)
    bounded = raw.get("word_boundaries", True)

    def terms(groups: dict[str, list[str]], order: list[str]) -> re.Pattern:
        # One pass over the question: a named group per topic (or safety class), in order.
        # One pass over the question: a named group per topic (or safety class), in order. The
        # boundary (or, without word boundaries, the set of first letters) sits outside the
        # groups so most positions fail at once.
        # Terms are matched against folded (lower-case) text, so no re.I: it is much slower.
        words = {name: [_plain(word).lower() for word in groups[name]] for name in order}
        body = "|".join(f"(?P<{name}>{'|'.join(words[name])})" for name in order)
        if bounded:
            return re.compile(rf"\b(?:{body})\b")
        firsts = "".join(sorted({re.escape(w[0]) for name in order for w in words[name]}))
        return re.compile(rf"(?=[{firsts}])(?:{body})")

    types = tuple(
        (rule["type"], _starts_pattern(rule), tuple(map(fold, rule.get("contains", ()))))
        for rule in raw["types"]
    )
    topic_terms = raw["topics"]["terms"]
    safety_terms = raw["safety"]["terms"]
    subjects = tuple(
        (
            re.compile(_plain(rule["pattern"]), 0 if rule.get("case_sensitive") else re.I),
            rule["as"],
            bool(rule.get("person")),
        )
        for rule in raw["subject"]
    )
    return _Lexicon(
        language=language,
        raw=raw,
        types=types,
        topics=terms(topic_terms, raw["topics"]["order"]),
        topic_order=tuple(raw["topics"]["order"]),
        safety=terms(safety_terms, raw["safety"]["order"]),
        subjects=subjects,
        timeframes=tuple(re.compile(_plain(pattern), re.I) for pattern in raw["timeframe"]),
    )


def analyse(question: str, language: str = "en") -> Analysis:
    """Read a question with every lexicon; the best-fitting one gives type, topic and subject."""
    text = " ".join(question.split())
    folded = fold(text)
    languages = data.lexicon_languages()
    lexicons = [_compiled(name) for name in languages]
    safety = _safety(folded, lexicons)
    lowered = text.lower()
    counts = {lex.language: _topic_counts(lex, folded) for lex in lexicons}
    best = max(
        lexicons,
        key=lambda lex: (
            _fit(lex, counts[lex.language], folded, lowered),
            lex.language == language,
        ),
    )
    question_type, options = _question_type(best, text, folded)
    subject, is_person = _subject(best, text, folded)
    return Analysis(
        question=text,
        language=best.language,
        question_type=question_type,
        topic=_topic(best, counts[best.language]),
        subject=subject,
        subject_is_person=is_person,
        timeframe=_timeframe(best, text, folded),
        options=options,
        safety_class=safety,
    )


@lru_cache(maxsize=4096)  # asked of card lines, a bounded set; callers must not change it
def topic_counts(language: str, text: str) -> Counter:
    """How often each topic's terms occur in a text, read with one language's lexicon."""
    if language not in data.lexicon_languages():
        return Counter()
    return _topic_counts(_compiled(language), fold(text))


def _topic_counts(lexicon: _Lexicon, folded: str) -> Counter:
    return Counter(match.lastgroup for match in lexicon.topics.finditer(folded))


def _fit(lexicon: _Lexicon, counts: Counter, folded: str, lowered: str) -> int:
    # CJK text is read by a lexicon without word boundaries; otherwise count what it knows.
    cjk = _CJK.search(folded) is not None
    if cjk != (not lexicon.raw.get("word_boundaries", True)):
        return -1
    hits = sum(counts.values())
    hits += sum(2 for marker in lexicon.raw.get("markers", ()) if marker in lowered)
    starts = _bare(folded)
    hits += sum(2 for _, begins, _ in lexicon.types if begins and begins.match(starts))
    return hits


def _safety(folded: str, lexicons: list[_Lexicon]) -> str | None:
    found = {match.lastgroup for lexicon in lexicons for match in lexicon.safety.finditer(folded)}
    return next((name for name in SAFETY_CLASSES if name in found), None)


def _bare(folded: str) -> str:
    return _EDGE.sub("", folded)


def _starts_pattern(rule: dict) -> re.Pattern | None:
    words = sorted((fold(word) for word in rule.get("starts", ())), key=len, reverse=True)
    if not words:
        return None
    return re.compile(rf"(?:{'|'.join(map(re.escape, words))})(?=[\s']|$)")


def _starts(text: str, word: str) -> bool:
    return text == word or text.startswith(word + " ") or text.startswith(word + "'")


def _question_type(lexicon: _Lexicon, text: str, folded: str) -> tuple[str, tuple[str, ...]]:
    text = _last_question(text)
    folded = fold(text)
    bare = _bare(folded)
    kind = lexicon.raw.get("default_type", "open")
    for name, starts, contains in lexicon.types:
        if (starts and starts.match(bare)) or any(word in bare for word in contains):
            kind = name
            break
    if kind in ("yes_no", "open", "how"):
        options = _options(lexicon, _EDGE.sub("", text))
        if options:
            return "either_or", options
    return kind, ()


def _last_question(text: str) -> str:
    """The sentence that asks: the last one ending in a question mark, else the last one."""
    parts = [part.strip() for part in _SENTENCES.split(text) if part.strip()]
    asking = [part for part in parts if part.endswith(("?", "？"))]
    return (asking or parts or [text])[-1]


def _options(lexicon: _Lexicon, text: str) -> tuple[str, ...]:
    rules = lexicon.raw["either_or"]
    folded = fold(text)
    for separator in rules["separators"]:
        at = folded.find(fold(separator))
        if at <= 0:
            continue
        first, second = text[:at], text[at + len(separator) :]
        first = _trim_lead(first, rules["lead"])
        second = _trim_lead(second, rules["lead"])
        for word in rules.get("trim", ()):
            first, second = _trim_word(first, word), _trim_word(second, word)
        if not first or not second or fold(second) in map(fold, rules["not_options"]):
            return ()
        return _you(lexicon, first), _you(lexicon, second)
    return ()


def _trim_lead(text: str, leads: list[str]) -> str:
    text = _EDGE.sub("", text.strip(" ,，、"))
    folded = fold(text)
    for lead in sorted(leads, key=len, reverse=True):
        if _starts(folded, fold(lead)) or (not lead.isascii() and folded.startswith(lead)):
            return text[len(lead) :].strip(" ,，、")
    return text


def _trim_word(text: str, word: str) -> str:
    folded = fold(text)
    if folded.endswith(" " + fold(word)) or (not word.isascii() and folded.endswith(word)):
        return text[: len(text) - len(word)].rstrip(" ,，、")
    return text


def _you(lexicon: _Lexicon, phrase: str) -> str:
    """Turn the asker's words around ("my job" becomes "your job")."""
    swaps = lexicon.raw.get("possessives", {})
    if not lexicon.raw.get("word_boundaries", True):
        for mine, yours in swaps.items():
            phrase = phrase.replace(mine, yours)
        return phrase
    words = phrase.split(" ")
    return " ".join(swaps.get(word.lower(), word) for word in words)


def _topic(lexicon: _Lexicon, counts: Counter) -> str:
    """The topic named most often; a tie goes to the one listed first."""
    if not counts:
        return "general"
    return max(
        lexicon.topic_order, key=lambda name: (counts[name], -lexicon.topic_order.index(name))
    )


def _subject(lexicon: _Lexicon, text: str, folded: str) -> tuple[str | None, bool]:
    for pattern, template, person in lexicon.subjects:
        # Case-sensitive rules (names) read the original; the rest read the folded text.
        match = pattern.search(folded if pattern.flags & re.I else _unaccented(text))
        if match is None:
            continue
        start, end = match.span("s")
        if "{0}" in template:
            return _you(lexicon, text[match.start() : match.end()]), person
        return template.format(s=text[start:end]), person
    return None, False


def _unaccented(text: str) -> str:
    if text.isascii():
        return text
    return "".join(unicodedata.normalize("NFD", char)[0] for char in text)


def _timeframe(lexicon: _Lexicon, text: str, folded: str) -> str | None:
    for pattern in lexicon.timeframes:
        match = pattern.search(folded)
        if match:
            return _you(lexicon, text[match.start() : match.end()])
    return None
