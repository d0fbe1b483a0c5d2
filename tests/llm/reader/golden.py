"""Golden readings: seeded, deterministic, read through by a person. `python golden.py` rewrites."""

from __future__ import annotations

from pathlib import Path

from tarot.llm.reader.compose import write
from tarot.llm.reader.sample import context

FOLDER = Path(__file__).parent / "golden"
CASES = {
    "en-job-offer-three-card": ("Should I take the new job offer?", "three-card", 17, "en"),
    "en-sister-celtic-cross": (
        "How can I heal my relationship with my sister?",
        "celtic-cross",
        17,
        "en",
    ),
    "en-ex-relationship": ("Does my ex still love me?", "relationship", 23, "en"),
    "en-madrid-berlin": (
        "Should I stay in Madrid or move to Berlin?",
        "situation-action-outcome",
        5,
        "en",
    ),
    "en-surgery-medical": ("Will my surgery go well?", "three-card", 8, "en"),
    "en-crisis": (
        "I don't want to be alive anymore. Will things ever get better?",
        "three-card",
        2,
        "en",
    ),
    "en-career-when-horseshoe": ("When will my career finally take off?", "horseshoe", 31, "en"),
    "en-focus-single": ("What should I focus on this month?", "single", 4, "en"),
}
# Spanish, read through by a Spanish-speaking reader.
CASES.update(
    {
        "es-sister-three-card": (
            "¿Cómo puedo mejorar la relación con mi hermana?",
            "three-card",
            17,
            "es",
        ),
        "es-job-offer-three-card": (
            "¿Debería aceptar la nueva oferta de trabajo?",
            "three-card",
            17,
            "es",
        ),
        "es-ex-relationship": ("¿Mi ex todavía me quiere?", "relationship", 23, "es"),
        "es-madrid-berlin": (
            "¿Me quedo en Madrid o me mudo a Berlín?",
            "situation-action-outcome",
            5,
            "es",
        ),
        "es-surgery-medical": ("¿Mi cirugía saldrá bien?", "three-card", 8, "es"),
        "es-crisis": ("No quiero vivir más, ¿va a mejorar algo?", "three-card", 2, "es"),
    }
)

# zh-TW: read through by a Taiwanese reader (the zh helper) before they were written down.
CASES |= {
    "zh-TW-job-offer-three-card": ("我應該接受新的工作機會嗎？", "three-card", 17, "zh-TW"),
    "zh-TW-sister-celtic-cross": ("我要怎麼改善和妹妹的關係？", "celtic-cross", 17, "zh-TW"),
    "zh-TW-ex-relationship": ("前任還愛我嗎？", "relationship", 23, "zh-TW"),
    "zh-TW-taipei-taichung": (
        "我應該留在台北還是搬去台中？",
        "situation-action-outcome",
        5,
        "zh-TW",
    ),
    "zh-TW-surgery-medical": ("我的手術會順利嗎？", "three-card", 8, "zh-TW"),
    "zh-TW-crisis": ("我不想活了，未來會好嗎？", "three-card", 2, "zh-TW"),
}


def render(name: str) -> str:
    """The golden text of one case: a header naming its inputs, then the reading."""
    question, spread, seed, language = CASES[name]
    written = write(context(question, spread, seed=seed, language=language))
    answer = written.plan.answer
    header = (f"# {question}\n# spread {spread}, seed {seed}, language {language}; "
              f"{answer.question_type}, lean {answer.lean}, strength {answer.strength}\n\n")  # fmt: skip
    return header + written.text + "\n"


if __name__ == "__main__":
    FOLDER.mkdir(exist_ok=True)
    for case in CASES:
        (FOLDER / f"{case}.txt").write_text(render(case), encoding="utf-8")
