"""A seeded corpus of readings for the quality tests: many question types, topics and spreads."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tarot.llm.reader.compose import Written, write
from tarot.llm.reader.sample import context

SPREADS = ("single", "three-card", "situation-action-outcome", "relationship", "horseshoe",
           "celtic-cross", "yes-no")  # fmt: skip
CARD_COUNTS = {"single": 1, "yes-no": 1, "three-card": 3, "situation-action-outcome": 3,
               "relationship": 5, "horseshoe": 7, "celtic-cross": 10}  # fmt: skip

QUESTIONS = {
    "en": {
        "yes_no": [
            "Should I take the new job offer?",
            "Will I get the promotion this year?",
            "Does my ex still love me?",
            "Is it time to leave my job?",
            "Should I ask her out?",
            "Will my business make a profit this year?",
            "Is he the right partner for me?",
            "Should I go back to university?",
            "Will I pass my driving test?",
            "Can I trust my new colleague?",
            "Is this the right time to start my own company?",
            "Will we get back together?",
            "Should I forgive my brother?",
            "Will the move to the coast make me happier?",
            "Should I apply for the manager position?",
            "Is my friend being honest with me?",
            "Will I find a flat before the summer?",
            "Should I tell my partner how I really feel?",
        ],
        "either_or": [
            "Should I stay in Madrid or move to Berlin?",
            "Should I take the job in London or stay with my team?",
            "Should I study law or medicine?",
            "Is it better to wait or to speak up now?",
            "Should I rent a flat or buy a house?",
        ],
        "how": [
            "How can I heal my relationship with my sister?",
            "How can I repair my friendship with Sam?",
            "What should I do about my difficult boss?",
            "How can I find more balance between work and rest?",
            "How do I get my confidence back after the breakup?",
            "What can I do to save more money?",
            "How can I support my mother through this change?",
            "How do I prepare for the interview next week?",
        ],
        "when": [
            "When will I meet someone special?",
            "When will my career finally take off?",
            "When will things settle down at home?",
            "How long until I feel at peace again?",
        ],
        "open": [
            "What should I focus on this month?",
            "What do I need to know about my love life?",
            "What is blocking my creativity?",
            "What does the coming year hold for my family?",
            "Why do I keep ending up in the same arguments with my father?",
            "What is my next step on my spiritual path?",
        ],
    },
}


# What each language's quality checks look for; a new language adds its own entry.
CHECKS = {
    "en": {
        "career_question": "Should I take the new job offer?",
        "love_question": "Does my ex still love me?",
        "career_words": r"\b(work\w*|jobs?|career\w*|colleagues?|boss|office|professional|role|projects?)\b",
        "romance_words": r"\b(romance|romantic|lovers?|dating|boyfriend|girlfriend|soulmate|flirt\w*|crush)\b",
        "love_words": r"\b(lov\w*|partners?|relationships?|romance|romantic|heart\w*|intima\w*|together|closeness|reconcil\w*|affection\w*|bond\w*|feelings?|couple|commitment|connection|break-?ups?|exes|ex)\b",
        "work_words": r"\b(jobs?|career\w*|colleagues?|boss|office|promotion|salary)\b",
        "past_tense": r"\b(\w+ed|used to|was|were|had|did|came|began|left|made|took|gave|felt|lost|went|grew|became|broke|found|held|kept|built|chose|knew|met|saw|spent|taught|thought|won|fell|ran|brought|caught|sought|told|got|set|let|put|cut|hurt|shut|drew|rode|stood|sat|fought|struck|wore|paid|led|meant|heard|slept|woke|laid|said|shook|threw|wrote|spoke|stole|forgot|hid|dealt|lent|sent|bent|lit|fed|fled|sped|swept|wept|crept|rose|drove|shone|froze|tore|swore|rang|sang|drank|sprang|flew|blew|withdrew|overcame|forgave|ate|withheld|understood|bought|bore|sank|spun|stuck|swung|hung|clung|dug|sold|bound|wound|ground|burnt|learnt|dreamt|spilt|dwelt|outgrew|arose|undertook|upheld)\b",
        "future_tense": r"\b(will|is going to|are going to)\b",
        "hope_words": r"\bhop\w*",
        "fear_words": r"\b(fear\w*|dread\w*|worr\w*|afraid)\b",
        "crisis": [
            "I don't want to be alive anymore. Will things ever get better?",
            "Should I kill myself?",
            "I want to die. Is there any point?",
        ],
        "medical": [
            "Will my surgery go well?",
            "Should I stop my medication?",
            "Will the biopsy come back clear?",
        ],
        "verdict_words": r"\b(yes|no)\b",
        "long_question": "I have been with my partner for six years and lately we argue about "
        "everything, money, chores, his family, my job, and I wonder whether we still want the "
        "same life or whether it is time to go separate ways before we hurt each other more?",
    },
}


# --- zh-TW: questions as a Taiwanese user would type them, and what the checks look for ---
QUESTIONS["zh-TW"] = {
    "yes_no": [
        "我應該接受新的工作機會嗎？",
        "今年我會升職嗎？",
        "前任還愛我嗎？",
        "現在是離職的好時機嗎？",
        "我該不該約她出去？",
        "我的小店今年會賺錢嗎？",
        "他是適合我的另一半嗎？",
        "我要不要回學校念研究所？",
        "這次駕照考試我會過嗎？",
        "新來的同事可以信任嗎？",
        "現在適合自己出來創業嗎？",
        "我們還有機會復合嗎？",
        "我該原諒我哥哥嗎？",
        "搬到花蓮住會讓我比較快樂嗎？",
        "我應該去應徵主管的職位嗎？",
        "我的朋友對我誠實嗎？",
        "夏天以前我找得到房子嗎？",
        "我該不該把真正的感受告訴另一半？",
    ],
    "either_or": [
        "我應該留在台北還是搬去台中？",
        "我該接受新竹的工作還是留在原本的團隊？",
        "我該讀法律還是醫學？",
        "現在應該再等等還是直接說出口？",
        "租房子比較好還是買房子比較好？",
    ],
    "how": [
        "我要怎麼改善和妹妹的關係？",
        "我該怎麼修補和小美的友情？",
        "面對難搞的主管我該怎麼辦？",
        "我要如何在工作和休息之間取得平衡？",
        "分手後要怎麼找回自信？",
        "我可以做什麼來多存一點錢？",
        "媽媽正在經歷變化，我要怎麼陪她？",
        "下週的面試我該怎麼準備？",
    ],
    "when": [
        "我什麼時候會遇到對的人？",
        "我的事業什麼時候才會起飛？",
        "家裡的狀況何時才會穩定下來？",
        "還要多久我才能重新感到平靜？",
    ],
    "open": [
        "這個月我應該專注在什麼上？",
        "關於我的感情，我需要知道什麼？",
        "是什麼卡住了我的創意？",
        "明年我的家庭會有什麼變化？",
        "為什麼我和爸爸總是吵同樣的架？",
        "我在靈性成長的路上，下一步是什麼？",
    ],
}

CHECKS["zh-TW"] = {
    "career_question": "我應該接受新的工作機會嗎？",
    "love_question": "前任還愛我嗎？",
    "career_words": r"(工作|職場|職涯|事業|同事|主管|老闆|上司|專案|案子|職位|職務|升職|升遷|面試|團隊|轉職|進修|錄取|加薪|客戶|辦公室)",
    "romance_words": r"(浪漫|約會|男友|女友|男朋友|女朋友|靈魂伴侶|曖昧|暗戀|告白|桃花|戀情)",
    "love_words": r"(感情|愛|伴侶|關係|戀|兩人|心意|在一起|親密|彼此|對方|承諾|心動|緣分|約會|告白|婚|情人|心儀|曖昧|和好)",
    "work_words": r"(工作|職場|職涯|同事|老闆|主管|上司|升職|升遷|薪水|加薪|面試)",
    "past_tense": r"(曾|過去|當初|那時|之前|先前|以前|從前|已經|早已|一度)",
    "future_tense": r"(將會|即將|未來|接下來|往後|以後)",
    "hope_words": r"(希望|盼|期待|渴望|想要)",
    "fear_words": r"(怕|擔心|擔憂|恐懼|不安)",
    "crisis": ["我不想活了，事情還會好起來嗎？", "我該不該自殺？", "我好想死，活著還有意義嗎？"],
    "medical": ["我的手術會順利嗎？", "我該停藥嗎？", "切片檢查的結果會是良性的嗎？"],
    "verdict_words": r"(「是」|「否」)",
    "long_question": "我和另一半在一起六年了，最近什麼都能吵，錢、家事、他的家人、我的工作，"
    "我常常在想我們是不是還想要同樣的生活，還是應該在傷害彼此更深之前分開？",
}


@dataclass(frozen=True)
class Sample:
    """One reading of the corpus with what produced it."""

    question: str
    question_type: str
    spread: str
    seed: int
    written: Written


def corpus(language: str = "en", count: int = 210, *, reversals: bool = True) -> list[Sample]:
    """`count` seeded readings, cycling question types, questions and spreads."""
    table = QUESTIONS.get(language, QUESTIONS["en"])
    pool = [(kind, question) for kind, items in table.items() for question in items]
    samples = []
    for index in range(count):
        kind, question = pool[(index * 7) % len(pool)]
        spread = SPREADS[index % len(SPREADS)]
        ctx = context(question, spread, seed=1000 + index, language=language, reversals=reversals)
        samples.append(Sample(question, kind, spread, 1000 + index, write(ctx)))
    return samples


# A sentence ends at . ! ? (and a closing quote) before a space, or at 。！？ in Chinese.
_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[^a-z,;])|(?<=[.!?][”\"])\s+(?=[^a-z,;])|(?<=[。！？])(?![」”])|(?<=[。！？][」”])"
)


def sentences(text: str) -> list[str]:
    """The sentences of a reading, whitespace normalized."""
    return [" ".join(part.split()) for part in _SENTENCE.split(text) if part.strip()]


def shared_share(samples: list[Sample]) -> float:
    """The share of sentences that also appear in another reading of the corpus."""
    owners: dict[str, set[int]] = {}
    per_reading = [sentences(sample.written.text) for sample in samples]
    for index, items in enumerate(per_reading):
        for sentence in items:
            owners.setdefault(sentence, set()).add(index)
    total = sum(len(items) for items in per_reading)
    shared = sum(1 for items in per_reading for sentence in items if len(owners[sentence]) > 1)
    return shared / total


def self_repeats(samples: list[Sample]) -> list[tuple[Sample, str]]:
    """Readings that say one sentence twice, with the sentence."""
    found = []
    for sample in samples:
        counts = Counter(sentences(sample.written.text))
        found.extend((sample, s) for s, n in counts.items() if n > 1)
    return found


# Spanish: questions as a Spanish speaker would ask them, and what the checks look for.
QUESTIONS["es"] = {
    "yes_no": [
        "¿Debería aceptar la nueva oferta de trabajo?",
        "¿Me darán el ascenso este año?",
        "¿Mi ex todavía me quiere?",
        "¿Es hora de dejar mi trabajo?",
        "¿Debería invitarla a salir?",
        "¿Mi negocio dará beneficios este año?",
        "¿Es él la pareja adecuada para mí?",
        "¿Debería volver a la universidad?",
        "¿Aprobaré el examen de conducir?",
        "¿Puedo confiar en mi nueva compañera?",
        "¿Es buen momento para montar mi propia empresa?",
        "¿Volveremos a estar juntos?",
        "¿Debería perdonar a mi hermano?",
        "¿Seré más feliz si me mudo a la costa?",
        "¿Me presento al puesto de responsable?",
        "¿Mi amiga está siendo sincera conmigo?",
        "¿Encontraré piso antes del verano?",
        "¿Debería decirle a mi pareja lo que siento de verdad?",
    ],
    "either_or": [
        "¿Me quedo en Madrid o me mudo a Berlín?",
        "¿Debo aceptar el trabajo en Londres o quedarme con mi equipo?",
        "¿Debería estudiar Derecho o Medicina?",
        "¿Es mejor esperar o hablar ahora?",
        "¿Me conviene alquilar un piso o comprar una casa?",
    ],
    "how": [
        "¿Cómo puedo mejorar la relación con mi hermana?",
        "¿Cómo puedo arreglar mi amistad con Lucía?",
        "¿Qué debo hacer con mi jefe, que es tan difícil?",
        "¿Cómo encuentro más equilibrio entre el trabajo y el descanso?",
        "¿Cómo recupero la confianza después de la ruptura?",
        "¿Qué puedo hacer para ahorrar más dinero?",
        "¿Cómo puedo apoyar a mi madre en este cambio?",
        "¿Cómo me preparo para la entrevista de la semana que viene?",
    ],
    "when": [
        "¿Cuándo conoceré a alguien especial?",
        "¿Cuándo despegará por fin mi carrera?",
        "¿Cuándo se calmarán las cosas en casa?",
        "¿Cuánto tiempo falta para que vuelva a sentirme en paz?",
    ],
    "open": [
        "¿En qué debería centrarme este mes?",
        "¿Qué necesito saber sobre mi vida amorosa?",
        "¿Qué está bloqueando mi creatividad?",
        "¿Qué le depara el próximo año a mi familia?",
        "¿Por qué acabo siempre discutiendo por lo mismo con mi padre?",
        "¿Cuál es mi siguiente paso en el camino espiritual?",
    ],
}

CHECKS["es"] = {
    "career_question": "¿Debería aceptar la nueva oferta de trabajo?",
    "love_question": "¿Mi ex todavía me quiere?",
    "career_words": r"\b(trabaj\w*|empleos?|profesional\w*|laboral\w*|carrera|compañer[oa]s?|jef[ea]s?|oficina|proyectos?|puestos?|equipo|oferta|contrato|ascenso|clientes?)\b",
    "romance_words": r"\b(romance|romántic\w*|romanticismo|noviazgo|novi[oa]s?|coquete\w*|flechazo|alma gemela)\b",
    "love_words": r"\b(amor\w*|amoros\w*|parejas?|relaci[oó]n\w*|vínculos?|romance|románti\w*|corazón|ternura|cariño|afect\w*|íntim\w*|intimidad|junt[oa]s|reconcilia\w*|sentimientos?|compromiso|conexión|ruptura|ex|quier\w*|dos)\b",
    "work_words": r"\b(trabajos?|empleos?|carrera profesional|compañer[oa]s de trabajo|jef[ea]s?|oficina|ascensos?|sueldos?|salario)\b",
    "past_tense": r"\b(\w+(?:é|aste|ó|amos|aron|í|iste|ió|imos|ieron|eron|aba|abas|ábamos|aban|ía|ías|íamos|ían)|fue|fueron|fui|hubo|tuvo|tuviste|hizo|hiciste|dio|diste|vino|viniste|puso|pusiste|supo|supiste|quiso|pudo|dijo|trajo|trajeron|estuvo|estuviste|anduvo)\b",
    "future_tense": r"\b(?!(?:a|de)trás\b)\w+(?:rá|rán|rás|ré|aremos|eremos|iremos)\b|\b(?:va|van|vas) a \w+r\b",
    "hope_words": r"\b(esper\w*|ilusi\w*|dese\w*|anhel\w*)",
    "fear_words": r"\b(tem\w*|mied\w*|asust\w*|inquiet\w*)",
    "crisis": [
        "No quiero vivir más, ¿va a mejorar algo?",
        "¿Debería quitarme la vida?",
        "Quiero morirme. ¿Tiene sentido seguir?",
    ],
    "medical": [
        "¿Mi cirugía saldrá bien?",
        "¿Debería dejar la medicación?",
        "¿Saldrá bien el resultado de la biopsia?",
    ],
    "verdict_words": r"\b(hacia el sí|hacia el no|dicen que sí|dicen que no|es un sí|un no)\b",
    "long_question": "Llevo seis años con mi pareja y últimamente discutimos por todo, por el "
    "dinero, por las tareas de casa, por su familia y por mi trabajo, y me pregunto si todavía "
    "queremos la misma vida o si ha llegado el momento de separarnos antes de hacernos más daño.",
}
