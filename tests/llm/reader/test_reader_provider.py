"""The `offline` provider: whole readings, streamed by paragraph, deterministic and safe."""

from __future__ import annotations

from dataclasses import replace

from tarot.config import Settings
from tarot.llm.prompt import build_prompt
from tarot.llm.reader.compose import write
from tarot.llm.reader.provider import OfflineProvider, build
from tarot.llm.reader.sample import context

JOB = "Should I take the new job offer?"


async def test_the_stream_is_the_composed_text_by_paragraph():
    provider = build(Settings())
    prompt = build_prompt(context(JOB, "horseshoe", seed=4))
    text = provider.compose(prompt).text
    pieces = [chunk.text async for chunk in provider.stream(prompt)]
    assert "".join(pieces) == text
    assert len(pieces) == text.count("\n\n") + 1
    assert all(piece.strip() for piece in pieces)


def test_the_same_draw_and_question_read_the_same_way():
    first = write(context(JOB, "celtic-cross", seed=9)).text
    assert write(context(JOB, "celtic-cross", seed=9)).text == first


def test_another_question_on_the_same_cards_reads_differently():
    job = write(context(JOB, "three-card", seed=9))
    other = write(replace(context(JOB, "three-card", seed=9), question="Will I be happy at home?"))
    assert [c.card_id for c in job.plan.sections] == [c.card_id for c in other.plan.sections]
    assert job.text != other.text
    assert job.plan.seed != other.plan.seed


def test_every_card_is_named_with_its_orientation():
    written = write(context(JOB, "celtic-cross", seed=12))
    for section, text in zip(written.plan.sections, written.sections, strict=True):
        name = section.card_name.lower().removeprefix("the ")
        assert name in text["text"].lower()
        assert (f"{name} reversed" in text["text"].lower()) == section.reversed


async def test_a_crisis_reading_is_care_only_with_the_configured_line():
    provider = OfflineProvider(crisis_text="Call your local emergency number now.")
    prompt = build_prompt(context("I want to die. Is there any point?", "celtic-cross", seed=2))
    text = "".join([chunk.text async for chunk in provider.stream(prompt)])
    assert "Call your local emergency number now." in text
    assert prompt.plan.answer.lean == "not_applicable"
    for section in prompt.plan.sections:
        assert section.card_name.lower().removeprefix("the ") not in text.lower()
    assert "lean" not in text.lower()


def test_either_or_names_both_options():
    written = write(context("Should I stay in Madrid or move to Berlin?", "three-card", seed=1))
    answer = written.plan.answer
    assert answer.kind == "either_or" and answer.choice in ("first", "second", "even")
    assert "“stay in Madrid”" in written.text and "“move to Berlin”" in written.text


def test_how_gets_two_or_three_steps_and_when_gets_no_dates():
    steps = write(context("How can I repair my friendship with Sam?", "celtic-cross", seed=3))
    assert len(steps.plan.answer.steps) == 3
    assert all(label in steps.text for label in ("First", "Next", "Then"))
    short = write(context("How can I repair my friendship with Sam?", "three-card", seed=3))
    assert len(short.plan.answer.steps) == 2
    when = write(context("When will I meet someone special?", "horseshoe", seed=8))
    assert when.plan.answer.pace in ("soon", "months", "later", "depends")
    answer_paragraph = when.text.split("\n\n")[-2]
    assert not any(char.isdigit() for char in answer_paragraph)


def test_a_single_card_is_not_always_a_yes_no():
    open_question = write(context("What should I focus on this month?", "single", seed=5))
    assert open_question.plan.answer.lean == "not_applicable"
    yes_no = write(context("Will I get the promotion this year?", "single", seed=5))
    assert yes_no.plan.answer.lean in ("yes", "no", "unclear")


def test_an_empty_draw_is_written_without_inventing_cards():
    empty = replace(context(JOB, "single", seed=1), cards=())
    written = write(empty)
    assert written.sections == [] and written.plan.answer.lean == "not_applicable"
    assert "no cards" in written.text.lower()
