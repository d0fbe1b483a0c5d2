"""Quality measured over 200+ seeded readings per language: variety, answers, length, topic."""

from __future__ import annotations

import re
from functools import cache

import pytest
from corpus import CARD_COUNTS, CHECKS, corpus, self_repeats, sentences, shared_share

from tarot.llm.reader import data
from tarot.llm.reader.compose import write
from tarot.llm.reader.grammar import grammar
from tarot.llm.reader.sample import context

LANGUAGES = [name for name in data.phrase_languages() if name == "en" or data.complete(name)]


@cache
def readings(language: str):
    return corpus(language)


def checks(language: str) -> dict:
    assert language in CHECKS, f"tests/llm/reader/corpus.py needs CHECKS[{language!r}]"
    return CHECKS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_written_in_the_requested_language(language):
    assert {sample.written.language for sample in readings(language)} == {language}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_reading_says_a_sentence_twice(language):
    assert self_repeats(readings(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_under_a_quarter_of_sentences_are_shared_with_another_reading(language):
    samples = readings(language)
    assert len(samples) >= 200
    assert shared_share(samples) < 0.25


@pytest.mark.parametrize("language", LANGUAGES)
def test_yes_no_questions_get_a_lean_with_a_strength(language):
    answers = [s.written.plan.answer for s in readings(language) if s.question_type == "yes_no"]
    answers = [answer for answer in answers if answer.kind == "yes_no"]  # not the guarded ones
    assert len(answers) >= 50
    undecided = sum(answer.lean == "unclear" for answer in answers) / len(answers)
    assert undecided < 0.12
    for answer in answers:
        if answer.lean != "unclear":
            assert 0 < answer.strength <= 1 and answer.positions


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reading_fits_its_length_band(language):
    rules = grammar(language)
    for sample in readings(language):
        low, high = rules.band(CARD_COUNTS[sample.spread])
        assert low <= rules.length(sample.written.text) <= high, (sample.spread, sample.seed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_reversals_are_explained_at_most_once(language):
    notes = [
        re.sub(r"{name}", "(.+?)", v) for v in data.phrases(language)["slots"]["reversal.note"]
    ]
    patterns = [re.compile(note.replace(".", r"\.")) for note in notes]
    for sample in readings(language):
        said = sum(len(p.findall(sample.written.text)) for p in patterns)
        assert said <= 1, sample.seed


@pytest.mark.parametrize("language", LANGUAGES)
def test_past_positions_speak_in_the_past(language):
    past, future = (
        re.compile(checks(language)["past_tense"], re.I),
        re.compile(checks(language)["future_tense"], re.I),
    )
    seen = 0
    for sample in readings(language):
        for section, written in zip(
            sample.written.plan.sections, sample.written.sections, strict=True
        ):
            if section.position_class == "past":
                first = sentences(written["text"])[0]
                assert past.search(first) and not future.search(first), first
                seen += 1
    assert seen >= 30


@pytest.mark.parametrize("language", LANGUAGES)
def test_hopes_and_fears_name_both(language):
    hope, fear = (re.compile(checks(language)[key], re.I) for key in ("hope_words", "fear_words"))
    for sample in readings(language):
        for section, written in zip(
            sample.written.plan.sections, sample.written.sections, strict=True
        ):
            if section.position_class == "hopes_fears":
                first = sentences(written["text"])[0]
                assert hope.search(first) and fear.search(first), first


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_career_question_talks_about_work_not_romance(language):
    rules = checks(language)
    work, romance = (
        re.compile(rules["career_words"], re.I),
        re.compile(rules["romance_words"], re.I),
    )
    for seed in range(40):
        for spread in ("three-card", "celtic-cross", "single"):
            ctx = context(rules["career_question"], spread, seed=seed, language=language)
            written = write(ctx)
            # Card names ("the Lovers") are not talk of romance; what is said about them is.
            text = written.text
            for card in ctx.cards:
                text = text.replace(card.card_name.removeprefix("The "), "")
            assert not romance.search(text), (spread, seed, romance.search(text))
            speaking = sum(bool(work.search(item["text"])) for item in written.sections)
            assert speaking * 2 >= len(written.sections), (spread, seed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_love_question_talks_about_the_people(language):
    rules = checks(language)
    love, work = re.compile(rules["love_words"], re.I), re.compile(rules["work_words"], re.I)
    for seed in range(40):
        for spread in ("relationship", "three-card"):
            ctx = context(rules["love_question"], spread, seed=seed, language=language)
            written = write(ctx)
            speaking = sum(bool(love.search(item["text"])) for item in written.sections)
            assert speaking * 2 >= len(written.sections), (spread, seed)
            assert not work.search(written.text), (spread, seed, work.search(written.text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_question_is_quoted_in_part(language):
    question = checks(language)["long_question"]
    text = write(context(question, "three-card", seed=3, language=language)).text
    assert question not in text
    assert question[:20] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_reversals_off_reads_every_card_upright(language):
    reversed_word = data.phrases(language)["grammar"]["card"]["reversed"]
    marker = reversed_word.replace("{name}", "").strip() if isinstance(reversed_word, str) else None
    for sample in corpus(language, 40, reversals=False):
        assert not any(section.reversed for section in sample.written.plan.sections)
        if marker:
            assert marker not in sample.written.text
