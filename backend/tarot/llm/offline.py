"""The offline writer: a complete interpretation from the card data alone, standard library only."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from tarot.llm.base import DrawnCard, Generation, Prompt, ReadingContext, StreamChunk
from tarot.llm.prompt import clean_question

_SUITS = {
    "wands": ("Wands", "fire", "drive, ambition, creativity and action"),
    "cups": ("Cups", "water", "feelings, relationships and intuition"),
    "swords": ("Swords", "air", "thought, communication, decisions and conflict"),
    "pentacles": ("Pentacles", "earth", "work, money, the body and material security"),
}
_RANK_WORDS = {
    "ace": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "page": 11, "knight": 12, "queen": 13, "king": 14,
}  # fmt: skip
_RANK_PLURALS = {
    2: "Twos", 3: "Threes", 4: "Fours", 5: "Fives", 6: "Sixes", 7: "Sevens", 8: "Eights",
    9: "Nines", 10: "Tens",
}  # fmt: skip
_NUMEROLOGY = {
    2: "twos speak of balance, partnership and a choice waiting to be made",
    3: "threes speak of growth, creativity and working with others",
    4: "fours speak of stability, structure and the need to consolidate",
    5: "fives speak of friction, loss and change that unsettles the status quo",
    6: "sixes speak of harmony, generosity and recovery after difficulty",
    7: "sevens speak of reflection, testing and choosing with care",
    8: "eights speak of movement, effort and growing mastery",
    9: "nines speak of a cycle nearing its end and the fruit of what you have built",
    10: "tens speak of completion: one cycle closing so that another can begin",
}
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")  # fmt: skip

# A small, deliberately conservative sense of which cards traditionally read as a clear
# "yes" or "no"; every other card is neutral and only its orientation counts.
_FAVOURABLE = frozenset({
    "sun", "star", "world", "lovers", "empress", "magician", "strength", "temperance",
    "wheel of fortune", "ace of cups", "ace of wands", "ace of pentacles", "two of cups",
    "three of cups", "four of wands", "six of wands", "nine of cups", "ten of cups",
    "nine of pentacles", "ten of pentacles",
})  # fmt: skip
_DIFFICULT = frozenset({
    "tower", "devil", "moon", "death", "three of swords", "five of swords", "seven of swords",
    "eight of swords", "nine of swords", "ten of swords", "five of cups", "five of pentacles",
})  # fmt: skip
_SENSITIVE = (
    ("health", re.compile(r"\b(health|ill|illness|sick|disease|cancer|doctor|diagnos\w*|surgery"
                          r"|pregnan\w*|medic\w*|symptom\w*|therapy)\b", re.I)),
    ("the law", re.compile(r"\b(legal|lawyer|lawsuit|sue|court case|custody|divorce|visa"
                           r"|contract|trial)\b", re.I)),
    ("money", re.compile(r"\b(money|invest\w*|stocks?|crypto\w*|debt|loan|mortgage|salary"
                         r"|financ\w*|bankrupt\w*)\b", re.I)),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pattern:
    """A notable feature of a spread, such as "suit:cups" seen three times."""

    key: str
    count: int


class _Voice:
    """Chooses among phrasings by a stable hash, so a draw always reads the same way."""

    def __init__(self, seed: str):
        self._seed = seed

    def pick(self, slot: str, options: Sequence[str]) -> str:
        # hashlib rather than hash(): str hashes are salted per process.
        digest = hashlib.sha256(f"{self._seed}|{slot}".encode()).digest()
        return options[int.from_bytes(digest[:8], "big") % len(options)]


def write_interpretation(context: ReadingContext) -> str:
    """Write an English reading of a draw; other requested languages fall back to English."""
    question = clean_question(context.question)
    cards = context.cards
    voice = _Voice(draw_seed(question, cards))
    opening = _opening(context.spread_name, question, len(cards), voice)
    if not cards:
        return opening
    paragraphs = [opening, *(_position_paragraph(card, voice) for card in cards)]
    paragraphs.append(_synthesis(cards, voice))
    paragraphs.append(_closing(context.spread_name, question, cards, voice))
    return "\n\n".join(paragraphs)


def draw_seed(question: str, cards: Sequence[DrawnCard]) -> str:
    """A stable digest of the question, the cards and their orientations."""
    parts = [question, *(f"{card.card_id}:{'R' if card.reversed else 'U'}" for card in cards)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def find_patterns(cards: Sequence[DrawnCard]) -> list[Pattern]:
    """The spread-level patterns worth mentioning in a synthesis, in reading order."""
    if len(cards) < 2:
        return []
    found = [*_arcana_patterns(cards), *_suit_patterns(cards), *_orientation_patterns(cards)]
    return found + _rank_patterns(cards)


# --- the opening -----------------------------------------------------------------------


def _opening(spread_name: str, question: str, count: int, voice: _Voice) -> str:
    spread = _spread_ref(spread_name)
    if question:
        first = voice.pick("open", [
            f"This is your reading from {spread}, for the question {_quoted(question)}",
            f"A reading from {spread} for your question {_quoted(question)}",
            f"Here is what {spread} has to say about your question, {_quoted(question)}",
            f"You brought a question to {spread}: {_quoted(question)}",
        ])  # fmt: skip
    else:
        first = (f"This is your reading from {spread}. No question was written down, "
                 "so the cards speak to your situation as a whole.")  # fmt: skip
    return f"{first} {_opening_plan(count, voice)}".rstrip()


def _opening_plan(count: int, voice: _Voice) -> str:
    if count == 0:
        return "No cards were drawn, so there is nothing to interpret yet."
    if count == 1:
        return voice.pick("plan", [
            "A single card was drawn, so its message is concentrated.",
            "One card holds the whole answer, so let's give it our full attention.",
        ])  # fmt: skip
    words = _number(count)
    return voice.pick("plan", [
        f"{_cap(words)} cards were drawn; we'll read each in its place, then see how they "
        "speak together.",
        f"Let's take the {words} cards one position at a time, then look at the whole picture.",
        f"We'll walk through the {words} positions in order before drawing the threads together.",
    ])  # fmt: skip


# --- one paragraph per position ----------------------------------------------------------


def _position_paragraph(card: DrawnCard, voice: _Voice) -> str:
    slot = f"card{card.position}"
    parts = [_position_sentence(card, voice, slot), _card_sentence(card, voice, slot)]
    if card.reversed:
        parts.append(voice.pick(slot + "frame", [
            "A reversed card is not simply the opposite of its upright meaning; its energy is "
            "blocked, delayed or turned inward.",
            "The card's energy has not vanished: upside down, it is held back, internalised, "
            "or still finding its way out.",
            "When a card lies reversed, its lesson is harder to reach for now: resisted, "
            "overdone or working out of sight.",
            "The reversal complicates the card, pointing to something stuck, delayed or "
            "happening beneath the surface.",
        ]))  # fmt: skip
    if card.keywords:
        parts.append(_keywords_sentence(card, voice, slot))
    if card.meaning.strip():
        parts.append(_sentence(card.meaning))
    if card.keywords:
        parts.append(_application_sentence(card, voice, slot))
    return " ".join(parts)


def _position_sentence(card: DrawnCard, voice: _Voice, slot: str) -> str:
    n, name, asks = card.position, card.position_name.strip(), card.position_prompt.strip()
    the_pos = _the(name)
    if not asks:
        return f"Position {n} is {the_pos}."
    if asks.endswith("?"):
        return voice.pick(slot + "pos", [
            f"Position {n}, {name}, asks: \u201c{asks}\u201d",
            f"{_cap(the_pos)} position asks, \u201c{asks}\u201d",
            f"In position {n}, {name}, the question is \u201c{asks}\u201d",
        ])  # fmt: skip
    about = _lower_first(asks.rstrip(".!;: "))
    return voice.pick(slot + "pos", [
        f"Position {n}, {name}, speaks to {about}.",
        f"{_cap(the_pos)} position is about {about}.",
        f"In position {n}, {name}, we look at {about}.",
    ])  # fmt: skip


def _card_sentence(card: DrawnCard, voice: _Voice, slot: str) -> str:
    major = ""
    if card.arcana == "major":
        major = voice.pick(slot + "major", [
            ", one of the Major Arcana", ", a Major Arcana card", ", a card of the Major Arcana",
        ])  # fmt: skip
    name = card.card_name
    if card.reversed:
        return voice.pick(slot + "card", [
            f"Here you drew {name}, reversed{major}.",
            f"{_cap(name)} fills this place, but reversed{major}.",
            f"The card that answers is {name}{major}, and it appears reversed.",
        ])  # fmt: skip
    return voice.pick(slot + "card", [
        f"Here you drew {name}, upright{major}.",
        f"{_cap(name)} fills this place, upright{major}.",
        f"The card that answers is {name}{major}, standing upright.",
    ])  # fmt: skip


def _keywords_sentence(card: DrawnCard, voice: _Voice, slot: str) -> str:
    words = _join_keywords(card.keywords)
    if card.reversed:
        return voice.pick(slot + "kw", [
            f"In this reversed form its themes are {words}.",
            f"Reversed, it speaks of {words}.",
            f"Turned upside down, it brings {words} to the surface.",
        ])  # fmt: skip
    return voice.pick(slot + "kw", [
        f"Its keywords here are {words}.",
        f"It brings {words} into play.",
        f"It speaks of {words}.",
    ])  # fmt: skip


def _application_sentence(card: DrawnCard, voice: _Voice, slot: str) -> str:
    focus, the_pos = _lower_first(card.keywords[0]), _the(card.position_name.strip())
    if card.reversed:
        return voice.pick(slot + "apply", [
            f"Because it is reversed, {focus} may be working below the surface here rather "
            "than in plain view.",
            f"In {the_pos} position, the reversal suggests that something around {focus} "
            "needs untangling before you can move freely.",
            f"Reversed in {the_pos} position, it asks you to look honestly at the role of "
            f"{focus} in your situation.",
        ])  # fmt: skip
    return voice.pick(slot + "apply", [
        f"Placed in {the_pos} position, it puts {focus} at the centre of this part of your "
        "story.",
        f"For {the_pos} position, let {focus} be the lens for this part of your question.",
        f"Read in this place, it points to {focus} as the thread to follow.",
    ])  # fmt: skip


# --- the synthesis -----------------------------------------------------------------------


def _synthesis(cards: Sequence[DrawnCard], voice: _Voice) -> str:
    if len(cards) == 1:
        return _single_synthesis(cards[0], voice)
    patterns = find_patterns(cards)
    parts = [voice.pick("syn", [
        "Now step back and look at the spread as a whole.",
        "Taken together, the cards tell one connected story.",
        "Read side by side, the cards start to talk to each other.",
    ]), _thread_sentence(cards, voice)]  # fmt: skip
    parts.extend(_pattern_sentence(pattern, cards, voice) for pattern in patterns)
    if all(pattern.key == "all-upright" for pattern in patterns):
        parts.append(voice.pick("balanced", [
            "No single suit or kind of card dominates, so the cards work as a conversation: "
            "each voice matters, and none drowns out the others.",
            "The spread is balanced, with no suit, number or arcana taking over, which "
            "suggests several sides of your life are involved at once.",
        ]))  # fmt: skip
    return " ".join(parts)


def _thread_sentence(cards: Sequence[DrawnCard], voice: _Voice) -> str:
    first, last = cards[0], cards[-1]
    start = f"{_label(first)} in {_the(first.position_name.strip())} position"
    end = f"{_label(last)} in {_the(last.position_name.strip())} position"
    if not (first.keywords and last.keywords):
        return f"The story runs from {start} to {end}."
    a, b = _lower_first(first.keywords[0]), _lower_first(last.keywords[0])
    return voice.pick("thread", [
        f"It opens with {start} and arrives at {end}: a movement from {a} toward {b}.",
        f"Follow the line from {start} to {end}, and the story moves from {a} to {b}.",
        f"The journey runs from {start} to {end}, from {a} toward {b}.",
    ])  # fmt: skip


def _single_synthesis(card: DrawnCard, voice: _Voice) -> str:
    parts = [voice.pick("syn", [
        f"With a single card, everything rests on {_label(card)}.",
        f"A one-card reading concentrates the whole message in {_label(card)}.",
    ])]  # fmt: skip
    suit = _SUITS.get((card.suit or "").lower())
    if card.arcana == "major":
        parts.append("As a Major Arcana card it points to a significant theme in your life "
                     "rather than a passing mood.")  # fmt: skip
    elif suit:
        element = (card.element or suit[1]).lower()
        parts.append(f"As a card of {suit[0]}, it brings the element of {element} to your "
                     f"question, so the answer lives in {suit[2]}.")  # fmt: skip
    if card.reversed:
        parts.append("Its reversal is the key detail: the energy is there, but it is not yet "
                     "flowing freely.")  # fmt: skip
    return " ".join(parts)


def _pattern_sentence(pattern: Pattern, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    total, key = len(cards), pattern.key
    if key.startswith("suit:"):
        return _suit_sentence(key[5:], pattern.count, cards, voice)
    if key.startswith("rank:"):
        return _rank_sentence(int(key[5:]), pattern.count, voice)
    writer = {
        "majors": _majors_sentence, "no-majors": _no_majors_sentence,
        "reversals": _reversals_sentence, "all-upright": _upright_sentence,
        "courts": _courts_sentence, "aces": _aces_sentence,
    }[key]  # fmt: skip
    return writer(pattern.count, total, cards, voice)


def _majors_sentence(count: int, total: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    if count == total:
        return (f"All {_number(total)} cards come from the Major Arcana. That is unusual, and "
                "it says this question touches a major chapter of your life: larger forces "
                "are at work than day-to-day choices.")  # fmt: skip
    share = f"{_number(count)} of {_number(total)}"
    return voice.pick("majors", [
        f"{_cap(share)} cards are Major Arcana, so this is more than an everyday matter: big "
        "life lessons and forces larger than your immediate choices are shaping it.",
        f"With the Major Arcana in the majority ({share}), the reading points to a "
        "significant chapter of your life rather than a passing phase.",
        f"The Major Arcana dominate here ({share}), a sign that deep, long-running themes are "
        "in play and that some of this is bigger than any single decision.",
    ])  # fmt: skip


def _no_majors_sentence(count: int, total: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    return voice.pick("no-majors", [
        "There is no Major Arcana in this spread, which suggests the situation belongs to "
        "everyday life and is largely in your own hands.",
        "Not a single Major Arcana card appears, so nothing here is fixed by fate: the "
        "outcome rests on practical, day-to-day choices.",
    ])  # fmt: skip


def _suit_sentence(suit: str, count: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    title, element, domain = _SUITS[suit]
    element = next((c.element.lower() for c in cards if c.suit == suit and c.element), element)
    times = {2: "twice", 3: "three times"}.get(count, f"{_number(count)} times")
    return voice.pick("suit", [
        f"{title} dominate the spread ({_number(count)} of {_number(len(cards))}), bringing "
        f"the element of {element} to the fore: at heart this is a matter of {domain}.",
        f"The suit of {title} appears {times}, so {element} sets the tone of the reading and "
        f"{domain} are at the centre of it.",
        f"With {_number(count)} {title} cards, the element of {element} runs through this "
        f"reading: pay close attention to {domain}.",
    ])  # fmt: skip


def _reversals_sentence(count: int, total: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    if count == total:
        return ("Every card in the spread is reversed. That many reversals point to energy "
                "that is blocked, delayed or turned inward: this is a time for reflection and "
                "inner work before outward action.")  # fmt: skip
    share = f"{_number(count)} of the {_number(total)}"
    portion = "half" if count * 2 == total else "most"
    return voice.pick("reversals", [
        f"{_cap(share)} cards are reversed. That many reversals suggest energy that is "
        "blocked, delayed or turned inward, so look at what you are resisting and tend to the "
        "inner side of the question before pushing ahead.",
        f"Reversals make up {portion} of the spread ({share} cards), a sign that much of what "
        "is happening is internal, hesitant or not yet ready to move.",
        f"With {share} cards reversed, the reading carries a lot of held-back energy; "
        "reversals like these often mean the timing is off or something needs healing first.",
    ])  # fmt: skip


def _upright_sentence(count: int, total: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    return voice.pick("upright", [
        "Every card came up upright, so the energies in play are open and easy to see; "
        "little is hidden or held back.",
        f"All {_number(total)} cards are upright: what you see here is what is at work, with "
        "few hidden blocks.",
    ])  # fmt: skip


def _courts_sentence(count: int, total: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    names = _join([c.card_name for c in cards if (_rank(c) or 0) > 10])
    return voice.pick("courts", [
        f"{_cap(_number(count))} court cards appear ({names}). Court cards often stand for "
        "people in your life, or for roles you are being asked to play, so notice who is "
        "involved and which of these personalities you are stepping into.",
        f"The spread holds {_number(count)} court cards ({names}), which puts people at the "
        "centre of the story: other people's influence, or sides of yourself that need to "
        "step forward.",
    ])  # fmt: skip


def _aces_sentence(count: int, total: int, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    return voice.pick("aces", [
        f"{_cap(_number(count))} Aces appear, a strong signal of new beginnings: fresh energy "
        "and raw potential are on offer, waiting for you to pick them up.",
        f"With {_number(count)} Aces in the spread, beginnings are everywhere; this is a "
        "moment of seeds rather than harvests.",
    ])  # fmt: skip


def _rank_sentence(rank: int, count: int, voice: _Voice) -> str:
    plural, meaning = _RANK_PLURALS[rank], _NUMEROLOGY[rank]
    return voice.pick(f"rank{rank}", [
        f"The number {_number(rank)} repeats ({_number(count)} {plural}), and in tarot "
        f"{meaning}.",
        f"{_cap(_number(count))} {plural} appear; in tarot numerology {meaning}.",
    ])  # fmt: skip


# --- pattern detection -------------------------------------------------------------------


def _arcana_patterns(cards: Sequence[DrawnCard]) -> list[Pattern]:
    majors = sum(card.arcana == "major" for card in cards)
    if majors * 2 > len(cards):
        return [Pattern("majors", majors)]
    # Two minor cards say little; the absence only means something in a fuller spread.
    if majors == 0 and len(cards) >= 3:
        return [Pattern("no-majors", 0)]
    return []


def _suit_patterns(cards: Sequence[DrawnCard]) -> list[Pattern]:
    suits = Counter(c.suit.lower() for c in cards if c.arcana != "major" and c.suit)
    ranked = [(suit, n) for suit, n in suits.most_common() if suit in _SUITS]
    if not ranked:
        return []
    suit, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    # A suit leads only when it is strictly ahead and fills at least a third of the spread.
    if count >= 2 and count > runner_up and count * 3 >= len(cards):
        return [Pattern(f"suit:{suit}", count)]
    return []


def _orientation_patterns(cards: Sequence[DrawnCard]) -> list[Pattern]:
    reversed_count = sum(card.reversed for card in cards)
    if reversed_count * 2 >= len(cards):
        return [Pattern("reversals", reversed_count)]
    if reversed_count == 0 and len(cards) >= 3:
        return [Pattern("all-upright", 0)]
    return []


def _rank_patterns(cards: Sequence[DrawnCard]) -> list[Pattern]:
    ranks = Counter(rank for rank in map(_rank, cards) if rank is not None)
    courts = sum(n for rank, n in ranks.items() if rank > 10)
    found = [Pattern("courts", courts)] if courts >= 2 else []
    if ranks[1] >= 2:
        found.append(Pattern("aces", ranks[1]))
    repeated = sorted(rank for rank, n in ranks.items() if 2 <= rank <= 10 and n >= 2)
    found.extend(Pattern(f"rank:{rank}", ranks[rank]) for rank in repeated)
    return found


def _rank(card: DrawnCard) -> int | None:
    if card.arcana == "major":
        return None
    words = card.card_name.lower().split()
    if words and words[0] in _RANK_WORDS:
        return _RANK_WORDS[words[0]]
    for token in re.split(r"[^a-z0-9]+", card.card_id.lower()):
        if token in _RANK_WORDS:
            return _RANK_WORDS[token]
        if token.isdigit() and 1 <= int(token) <= 14:
            return int(token)
    return None


# --- the closing -------------------------------------------------------------------------


def _closing(spread: str, question: str, cards: Sequence[DrawnCard], voice: _Voice) -> str:
    leaning = _leaning(cards)
    yes_no = len(cards) == 1 or "yes" in spread.lower()
    parts = [_verdict(leaning, yes_no, bool(question), voice), _outcome_sentence(cards, voice)]
    if len(cards) > 1:
        parts.append(_balance_sentence(cards))
    if cards[-1].keywords:
        parts.append(_advice_sentence(cards[-1], voice))
    parts.append(_care_sentence(question) or voice.pick("reflect", [
        "The cards describe the current of things, not a fixed fate; what you do with this is "
        "yours to decide.",
        "Treat this reading as a mirror rather than a verdict: the future stays open to your "
        "choices.",
        "Tarot shows tendencies, not certainties, so hold this lightly and trust your own "
        "judgement.",
    ]))  # fmt: skip
    return " ".join(parts)


def _leaning(cards: Sequence[DrawnCard]) -> str:
    """ "yes", "not yet" or "no": the weighted mood of the cards, the last one counting double."""
    weights = [1] * (len(cards) - 1) + [2 if len(cards) > 1 else 1]
    score = sum(w * _card_value(card) for w, card in zip(weights, cards, strict=True))
    average = score / sum(weights)
    if average >= 0.5:
        return "yes"
    return "no" if average <= -1 else "not yet"


def _card_value(card: DrawnCard) -> float:
    # Reversed good cards read as delay rather than refusal, hence "not yet" not "no".
    name = _plain_name(card.card_name)
    tone = 1 if name in _FAVOURABLE else -1 if name in _DIFFICULT else 0
    if card.reversed:
        return {1: 0.0, 0: -0.75, -1: -2.0}[tone]
    return {1: 2.0, 0: 1.0, -1: -1.0}[tone]


def _verdict(leaning: str, yes_no: bool, has_question: bool, voice: _Voice) -> str:
    bodies = {
        ("yes", True): ["the cards lean towards yes.", "the answer leans yes; the cards are "
                        "on your side."],
        ("not yet", True): ["the cards lean towards not yet: the door is not closed, but the "
                            "timing is not right.", "the answer leans to not yet; what you "
                            "want is possible, but something has to shift first."],
        ("no", True): ["the cards lean towards no, at least as things stand now.", "the answer "
                       "leans no: not in the form you are hoping for, and not on the current "
                       "path."],
        ("yes", False): ["the outlook is encouraging.", "the cards lean hopeful, and the way "
                         "forward is open."],
        ("not yet", False): ["the picture is mixed, and much depends on what you do next.",
                             "the answer is neither a clear yes nor a clear no; it is still "
                             "taking shape."],
        ("no", False): ["the cards counsel caution; as things stand, this path meets "
                        "resistance.", "the cards point to real obstacles on the current "
                        "path, so go carefully."],
    }  # fmt: skip
    prefix = "Overall, "
    if has_question:
        prefix = voice.pick("verdict", ["To answer your question directly: ", "So, to your "
                                        "question: ", "As for what you asked: "])  # fmt: skip
    return prefix + voice.pick("verdict-body", bodies[(leaning, yes_no)])


def _outcome_sentence(cards: Sequence[DrawnCard], voice: _Voice) -> str:
    card = cards[-1]
    words = _join_keywords(card.keywords[:2]) if card.keywords else "its message"
    if card.reversed:
        note = voice.pick("outcome", [
            f"is reversed, so its message of {words} arrives slowly or in a changed form",
            f"is reversed, so {words} is still taking shape rather than settled",
        ])  # fmt: skip
    else:
        note = voice.pick("outcome", [
            f"is upright and speaks plainly of {words}",
            f"stands upright and brings {words} to the fore",
        ])  # fmt: skip
    if len(cards) == 1:
        return f"That rests on {card.card_name}, which {note}."
    return f"The card in {_the(card.position_name.strip())} position, {card.card_name}, {note}."


def _balance_sentence(cards: Sequence[DrawnCard]) -> str:
    total, upright = len(cards), sum(not card.reversed for card in cards)
    backwards = total - upright
    if upright == total:
        return f"All {_number(total)} cards are upright, which supports a clear, direct answer."
    if backwards == total:
        return "With every card reversed, expect delays and inner work before anything moves."
    if upright * 2 == total:
        return ("Upright and reversed cards are evenly split, so the outcome is finely "
                "balanced and your own choices will tip it.")  # fmt: skip
    if upright > backwards:
        return (f"{_cap(_number(upright))} of the {_number(total)} cards are upright, so the "
                "energy mostly flows in the open.")  # fmt: skip
    return (f"With {_number(backwards)} of the {_number(total)} cards reversed, expect delays "
            "and some inner work before anything moves outward.")  # fmt: skip


def _advice_sentence(card: DrawnCard, voice: _Voice) -> str:
    focus = _lower_first(card.keywords[0])
    if card.reversed:
        return voice.pick("advice", [
            f"Look honestly at {focus} before you push for a result.",
            f"Be patient, and work through {focus} before you expect movement.",
        ])  # fmt: skip
    return voice.pick("advice", [
        f"Work with {focus} rather than against it, and let that guide your next step.",
        f"Your next step is to make room for {focus} and act on what this reading makes clear.",
    ])  # fmt: skip


def _care_sentence(question: str) -> str:
    areas = [area for area, pattern in _SENSITIVE if pattern.search(question)]
    if not areas:
        return ""
    return (f"Because your question touches on {_join(areas)}, treat this as reflection only "
            "and talk to a qualified professional before deciding anything.")  # fmt: skip


# --- small text helpers ------------------------------------------------------------------


def _spread_ref(name: str) -> str:
    name = name.strip() or "tarot"
    if not name.lower().endswith(("spread", "reading")):
        name += " spread"
    return name if name.lower().startswith("the ") else f"the {name}"


def _the(name: str) -> str:
    return name if name.lower().startswith("the ") else f"the {name}"


def _label(card: DrawnCard) -> str:
    return f"{card.card_name} reversed" if card.reversed else card.card_name


def _plain_name(name: str) -> str:
    name = name.strip().lower()
    return name[4:] if name.startswith("the ") else name


def _quoted(question: str) -> str:
    end = "" if question[-1] in ".?!\u2026" else "."
    return f"\u201c{question}\u201d{end}"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return _cap(text) if text[-1] in '.?!\u2026\u201d"' else f"{_cap(text)}."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    text = text.strip()
    # Keep acronyms and the pronoun "I" intact: only lower a capital followed by lowercase.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _join_keywords(keywords: Sequence[str]) -> str:
    return _join([_lower_first(keyword) for keyword in keywords])


def _join(items: Sequence[str]) -> str:
    items = [item.strip() for item in items if item.strip()]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _number(value: int) -> str:
    return _NUMBER_WORDS[value] if 0 <= value < len(_NUMBER_WORDS) else str(value)


# --- the provider ------------------------------------------------------------------------


class OfflineProvider:
    """A provider that never fails or calls out: it writes the reading itself."""

    name = "offline"
    model = "offline-writer-1"

    async def generate(self, prompt: Prompt) -> Generation:
        """Write the whole interpretation for the prompt's reading context."""
        started = time.perf_counter()
        text = write_interpretation(prompt.context)
        elapsed = (time.perf_counter() - started) * 1000
        return Generation(text=text, provider=self.name, model=self.model, latency_ms=elapsed,
                          extra={"language": "en"})  # fmt: skip

    async def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]:
        """Yield the interpretation paragraph by paragraph.

        No pause between pieces: writing takes about a millisecond of CPU, while on a busy
        loop each pause would wait a full turn and slow `?wait=true` down under load.
        """
        for piece in re.split(r"(?<=\n\n)", write_interpretation(prompt.context)):
            if piece:
                yield StreamChunk(text=piece)

    async def aclose(self) -> None:
        """Nothing to release: the writer holds no connections."""


def build(settings: object) -> OfflineProvider:
    """The factory hook; the offline writer needs no settings."""
    return OfflineProvider()
