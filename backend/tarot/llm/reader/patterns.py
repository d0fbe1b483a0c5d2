"""Spread patterns a reader notices: majors against chance, elements, dignities, clusters, pairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

SUIT_ELEMENTS = {"wands": "fire", "cups": "water", "swords": "air", "pentacles": "earth"}
ELEMENTS = ("fire", "water", "air", "earth")
# Golden Dawn dignities: fire and air feed each other, as do water and earth; opposites weaken.
FRIENDLY = {frozenset({"fire", "air"}), frozenset({"water", "earth"})}
HOSTILE = {frozenset({"fire", "water"}), frozenset({"air", "earth"})}
RANKS = {
    "ace": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "page": 11,
    "knight": 12,
    "queen": 13,
    "king": 14,
}
MAJORS_IN_DECK = 22 / 78
PAIRS = (  # (first class, second class, observation): the classic pairs of the spreads
    ("crown", "outcome", "crown_outcome"),
    ("challenge", "advice", "challenge_advice"),
    ("hopes_fears", "outcome", "hopes_outcome"),
    ("self", "other", "self_other"),
)


@dataclass(frozen=True, slots=True)
class Placed:
    """The facts of one laid card that patterns need."""

    position: int
    position_class: str
    card_id: str
    arcana: str
    suit: str | None
    element: str | None
    reversed: bool
    polarity: float


@dataclass(frozen=True, slots=True)
class Observation:
    """One pattern worth saying: its phrase slot, the positions it names, and its numbers."""

    kind: str
    positions: tuple[int, ...]
    values: dict = field(default_factory=dict)
    weight: float = 1.0


def rank(card_id: str) -> int | None:
    """1-14 for a minor card id such as `queen-of-cups`; None for a major."""
    head, _, rest = card_id.partition("-of-")
    return RANKS.get(head) if rest else None


def element(card: Placed) -> str | None:
    """The card's element: its suit's, or for a major the one the catalog gives it."""
    if card.suit:
        return SUIT_ELEMENTS.get(card.suit)
    value = (card.element or "").strip().lower()
    return value if value in ELEMENTS else None


def observe(cards: Sequence[Placed], *, reversals: bool = True) -> list[Observation]:
    """Everything notable in the spread, most telling first."""
    if len(cards) < 2:
        return []
    found = [*_pairs(cards), *_majors(cards), *_elements(cards)]
    if reversals:
        found.extend(_reversals(cards))
    found.extend([*_dignities(cards), *_courts(cards), *_numbers(cards)])
    return sorted(found, key=lambda item: -item.weight)


def _pairs(cards: Sequence[Placed]) -> list[Observation]:
    by_class: dict[str, Placed] = {}
    for card in cards:
        by_class.setdefault(card.position_class, card)
    found = []
    for first, second, kind in PAIRS:
        a, b = by_class.get(first), by_class.get(second)
        if a is None or b is None:
            continue
        if kind == "challenge_advice":
            found.append(Observation(kind, (a.position, b.position), weight=3.0))
            continue
        agree = (a.polarity >= 0) == (b.polarity >= 0)
        found.append(
            Observation(
                f"{kind}_{'agree' if agree else 'clash'}", (a.position, b.position), weight=3.0
            )
        )
    past, future = by_class.get("past"), by_class.get("future") or by_class.get("outcome")
    if len(cards) <= 3 and past and future:
        found.append(Observation("arc", (past.position, future.position), weight=2.5))
    return found


def _majors(cards: Sequence[Placed]) -> list[Observation]:
    total = len(cards)
    majors = [card.position for card in cards if card.arcana == "major"]
    expected = max(1, round(total * MAJORS_IN_DECK))
    if len(majors) >= 2 and len(majors) >= expected + 1 and len(majors) * 2 >= total:
        values = {"count": len(majors), "total": total, "expected": expected}
        return [Observation("majors_many", tuple(majors), values, weight=2.6)]
    if not majors and total >= 5:
        return [Observation("majors_none", (), {"total": total}, weight=1.6)]
    return []


def _elements(cards: Sequence[Placed]) -> list[Observation]:
    minors = [(card.position, SUIT_ELEMENTS[card.suit]) for card in cards if card.suit]
    counts = Counter(suit_element for _, suit_element in minors)
    found = []
    if counts:
        (top, count), *rest = counts.most_common()
        if count >= 2 and count * 3 >= len(cards) and (not rest or rest[0][1] < count):
            positions = tuple(position for position, of in minors if of == top)
            found.append(Observation("element_dominant", positions, {"element": top}, 2.0))
    if len(cards) >= 5:
        present = {element(card) for card in cards}
        missing = [name for name in ELEMENTS if name not in present]
        if len(missing) == 1:
            found.append(Observation("element_missing", (), {"element": missing[0]}, 1.4))
    return found


def _reversals(cards: Sequence[Placed]) -> list[Observation]:
    flipped = [card.position for card in cards if card.reversed]
    total = len(cards)
    if total >= 3 and len(flipped) == total:
        return [Observation("reversals_all", tuple(flipped), {"total": total}, 1.9)]
    if total >= 3 and len(flipped) * 2 > total:
        return [
            Observation(
                "reversals_many", tuple(flipped), {"count": len(flipped), "total": total}, 1.8
            )
        ]
    if total >= 3 and not flipped:
        return [Observation("reversals_none", (), {"total": total}, 1.0)]
    return []


def _dignities(cards: Sequence[Placed]) -> list[Observation]:
    found = []
    for left, right in pairwise(cards):
        pair = frozenset({element(left), element(right)})
        if pair in HOSTILE:
            found.append(Observation("dignity_hostile", (left.position, right.position), {}, 1.5))
        elif pair in FRIENDLY:
            found.append(Observation("dignity_friendly", (left.position, right.position), {}, 1.2))
    return found[:2]


def _courts(cards: Sequence[Placed]) -> list[Observation]:
    courts = [card.position for card in cards if (rank(card.card_id) or 0) > 10]
    if len(courts) >= 2:
        return [Observation("courts", tuple(courts), {"count": len(courts)}, 1.7)]
    return []


def _numbers(cards: Sequence[Placed]) -> list[Observation]:
    by_rank: dict[int, list[int]] = {}
    for card in cards:
        number = rank(card.card_id)
        if number is not None and number <= 10:
            by_rank.setdefault(number, []).append(card.position)
    return [
        Observation("numbers", tuple(positions), {"number": number}, 1.6 + len(positions) / 10)
        for number, positions in sorted(by_rank.items())
        if len(positions) >= 2
    ]
