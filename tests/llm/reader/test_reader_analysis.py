"""Question analysis in English, Traditional Chinese and Spanish."""

from __future__ import annotations

import pytest

from tarot.llm.reader.analysis import analyse

CRISIS = [
    "I don't want to be alive anymore. Will things ever get better?",
    "Should I just kill myself?",
    "I keep thinking about suicide, what do the cards say?",
    "Will it hurt less if I hurt myself?",
    "我不想活了，未來會好嗎？",
    "我想死",
    "我一直想自殺",
    "No quiero vivir más, ¿va a mejorar algo?",
    "He pensado en suicidarme",
    "¿Debería quitarme la vida?",
    # Indirect phrasings: no method named, only the wish not to go on.
    "I feel like there is no point in living anymore",
    "There's nothing left to live for",
    "I'm so tired of living. Will it ever change?",
    "Life feels pointless, will it change?",
    "我覺得活著沒有意思",
    "我撐不下去了",
    "Estoy cansada de vivir",
    "La vida no tiene sentido, ¿cambiará?",
]

# Everyday questions that share words with the phrasings above must still get a reading.
NOT_CRISIS = [
    "Is there any point in applying for this job?",
    "Should I end things with my boyfriend?",
    "I'm tired of my job, should I quit?",
    "Is living abroad the right choice?",
    "No quiero seguir en este trabajo, ¿debo irme?",
    "我該繼續撐著這份工作嗎？",
]


@pytest.mark.parametrize("question", NOT_CRISIS)
def test_everyday_questions_are_not_crises(question):
    assert analyse(question).safety_class != "crisis"


@pytest.mark.parametrize("question", CRISIS)
def test_crisis_is_caught_in_every_language(question):
    assert analyse(question).safety_class == "crisis"


@pytest.mark.parametrize(
    ("question", "safety"),
    [
        ("Will my surgery go well?", "medical"),
        ("Should I stop taking my medication?", "medical"),
        ("Am I pregnant?", "pregnancy"),
        ("Will I win the custody case?", "legal"),
        ("Should I put all my savings into crypto?", "money"),
        ("我的手術會順利嗎？", "medical"),
        ("我懷孕了嗎？", "pregnancy"),
        ("¿Mi cirugía saldrá bien?", "medical"),
        ("¿Debo invertir todos mis ahorros?", "money"),
        ("Should I take the new job offer?", None),
    ],
)
def test_safety_classes(question, safety):
    assert analyse(question).safety_class == safety


@pytest.mark.parametrize(
    ("question", "kind", "topic"),
    [
        ("Should I take the new job offer?", "yes_no", "career"),
        ("How can I heal my relationship with my sister?", "how", "family"),
        ("How can I repair my friendship with Sam?", "how", "family"),
        ("Does my ex still love me?", "yes_no", "love"),
        ("When will I meet someone special?", "when", "love"),
        ("What should I focus on this month?", "how", "general"),
        ("What is blocking my creativity?", "open", "general"),
        ("Will I pass my exams?", "yes_no", "study"),
        ("Should I move to a new apartment?", "yes_no", "home"),
        ("我應該接受新的工作機會嗎？", "yes_no", "career"),
        ("我什麼時候會遇到對的人？", "when", "general"),
        ("我要怎麼改善和妹妹的關係？", "how", "family"),
        ("¿Cómo puedo mejorar la relación con mi hermana?", "how", "family"),
        ("¿Debo aceptar la nueva oferta de trabajo?", "yes_no", "career"),
        ("¿Cuándo llegará el amor?", "when", "love"),
    ],
)
def test_type_and_topic(question, kind, topic):
    analysis = analyse(question)
    assert (analysis.question_type, analysis.topic) == (kind, topic)


@pytest.mark.parametrize(
    ("question", "options"),
    [
        ("Should I stay in Madrid or move to Berlin?", ("stay in Madrid", "move to Berlin")),
        ("Should I take the job in London or stay with my team?",
         ("take the job in London", "stay with your team")),
        ("我應該留在台北還是搬去台中？", ("留在台北", "搬去台中")),
    ],
)  # fmt: skip
def test_either_or_keeps_both_options(question, options):
    analysis = analyse(question)
    assert analysis.question_type == "either_or"
    assert analysis.options == options


def test_or_not_is_still_a_yes_no_question():
    assert analyse("Should I call him or not?").question_type == "yes_no"


@pytest.mark.parametrize(
    ("question", "subject", "person"),
    [
        ("How can I heal my relationship with my sister?", "your sister", True),
        ("How can I repair my friendship with Sam?", "Sam", True),
        ("Should I take the new job offer?", "the new job offer", False),
        ("Does my ex still love me?", "your ex", True),
        ("¿Cómo puedo mejorar la relación con mi hermana?", "tu hermana", True),
        ("我要怎麼改善和妹妹的關係？", None, False),
        ("What should I focus on?", None, False),
    ],
)
def test_subject(question, subject, person):
    analysis = analyse(question)
    assert analysis.subject == subject
    assert analysis.subject_is_person is person


@pytest.mark.parametrize(
    ("question", "timeframe"),
    [
        ("What should I focus on this month?", "this month"),
        ("Will I find a flat by the end of the year?", "by the end of the year"),
        ("Will I get a new job in the next few months?", "in the next few months"),
        ("今年我會換工作嗎？", "今年"),
        ("¿Encontraré trabajo este año?", "este año"),
        ("Does he love me?", None),
    ],
)
def test_timeframe(question, timeframe):
    assert analyse(question).timeframe == timeframe


def test_the_language_that_reads_the_question_best_is_recorded():
    assert analyse("¿Me quiere?", "en").language == "es"
    assert analyse("他愛我嗎？", "en").language == "zh-TW"
    assert analyse("Does he love me?", "es").language == "en"
