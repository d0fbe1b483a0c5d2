"""Draw our own SVG card faces (one per card id) into backend/tarot/static/cards/.

No registry package ships the public-domain 1909 scans (see PROVENANCE.md there), so the
package carries simple faces we draw ourselves: the numeral, the suit's pips and the name.
Re-run after a card is added or renamed: `python3 tools/card_faces.py`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "backend" / "tarot" / "data"
OUT = ROOT / "backend" / "tarot" / "static" / "cards"
WIDTH, HEIGHT = 300, 520
ROMAN = [
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]  # fmt: skip
SUIT_INK = {"wands": "#9a4a1c", "cups": "#1f5f8b", "swords": "#4b4f58", "pentacles": "#8a6d12"}
MAJOR_INK = "#5b2c6f"
COURT_MARK = {"page": "P", "knight": "Kn", "queen": "Q", "king": "K"}
# Pip positions (x, y in a 0..1 box) for two to ten, laid out like playing cards.
PIPS = {
    2: [(0.5, 0.1), (0.5, 0.9)],
    3: [(0.5, 0.1), (0.5, 0.5), (0.5, 0.9)],
    4: [(0.2, 0.1), (0.8, 0.1), (0.2, 0.9), (0.8, 0.9)],
    5: [(0.2, 0.1), (0.8, 0.1), (0.5, 0.5), (0.2, 0.9), (0.8, 0.9)],
    6: [(0.2, 0.1), (0.8, 0.1), (0.2, 0.5), (0.8, 0.5), (0.2, 0.9), (0.8, 0.9)],
    7: [(0.2, 0.1), (0.8, 0.1), (0.5, 0.3), (0.2, 0.5), (0.8, 0.5), (0.2, 0.9), (0.8, 0.9)],
    8: [(0.2, 0.1), (0.8, 0.1), (0.5, 0.3), (0.2, 0.5), (0.8, 0.5), (0.5, 0.7), (0.2, 0.9),
        (0.8, 0.9)],
    9: [(0.2, 0.1), (0.8, 0.1), (0.2, 0.37), (0.8, 0.37), (0.5, 0.5), (0.2, 0.63), (0.8, 0.63),
        (0.2, 0.9), (0.8, 0.9)],
    10: [(0.2, 0.1), (0.8, 0.1), (0.5, 0.25), (0.2, 0.37), (0.8, 0.37), (0.2, 0.63),
         (0.8, 0.63), (0.5, 0.75), (0.2, 0.9), (0.8, 0.9)],
}  # fmt: skip


def roman(number: int) -> str:
    """Roman numerals as the majors carry them; the Fool is 0."""
    if number == 0:
        return "0"
    out = ""
    for value, letters in ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


def symbol(suit: str, x: float, y: float, size: float, ink: str) -> str:
    """One pip of a suit, centred on (x, y), drawn with simple shapes."""
    s = size / 2
    if suit == "wands":
        return (
            f'<rect x="{x - s * 0.14:.1f}" y="{y - s:.1f}" width="{s * 0.28:.1f}" '
            f'height="{2 * s:.1f}" rx="{s * 0.14:.1f}" fill="{ink}"/>'
            f'<circle cx="{x + s * 0.3:.1f}" cy="{y - s * 0.55:.1f}" r="{s * 0.16:.1f}" '
            f'fill="#5f8f3a"/>'
        )
    if suit == "cups":
        return (
            f'<path d="M{x - s * 0.7:.1f},{y - s * 0.8:.1f} h{s * 1.4:.1f} '
            f"q0,{s * 0.9:.1f} -{s * 0.6:.1f},{s * 1.1:.1f} v{s * 0.4:.1f} h{s * 0.35:.1f} "
            f"v{s * 0.3:.1f} h-{s * 0.9:.1f} v-{s * 0.3:.1f} h{s * 0.35:.1f} "
            f'v-{s * 0.4:.1f} q-{s * 0.6:.1f},-{s * 0.2:.1f} -{s * 0.6:.1f},-{s * 1.1:.1f} z" '
            f'fill="{ink}"/>'
        )
    if suit == "swords":
        return (
            f'<path d="M{x:.1f},{y - s:.1f} l{s * 0.16:.1f},{s * 0.3:.1f} v{s * 1.0:.1f} '
            f"h-{s * 0.32:.1f} v-{s * 1.0:.1f} z M{x - s * 0.5:.1f},{y + s * 0.32:.1f} "
            f'h{s:.1f} v{s * 0.14:.1f} h-{s:.1f} z" fill="{ink}"/>'
            f'<rect x="{x - s * 0.09:.1f}" y="{y + s * 0.46:.1f}" width="{s * 0.18:.1f}" '
            f'height="{s * 0.5:.1f}" fill="#6b3b1f"/>'
        )
    points = " ".join(
        f"{x + s * 0.75 * math.sin(i * 4 * math.pi / 5):.1f},"
        f"{y - s * 0.75 * math.cos(i * 4 * math.pi / 5):.1f}"
        for i in range(5)
    )
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s * 0.92:.1f}" fill="#f3d46b" stroke="{ink}" '
        f'stroke-width="{max(1.0, s * 0.08):.1f}"/>'
        f'<polygon points="{points}" fill="none" stroke="{ink}" '
        f'stroke-width="{max(1.0, s * 0.07):.1f}"/>'
    )


def major_art(number: int) -> str:
    """A rayed sun with the numeral at its heart: the majors share one motif."""
    cx, cy = WIDTH / 2, 235
    rays = "".join(
        f'<line x1="{cx + 62 * math.cos(a):.1f}" y1="{cy + 62 * math.sin(a):.1f}" '
        f'x2="{cx + (96 if i % 2 else 84) * math.cos(a):.1f}" '
        f'y2="{cy + (96 if i % 2 else 84) * math.sin(a):.1f}" stroke="#c9972b" stroke-width="4"/>'
        for i, a in ((i, i * math.pi / 12) for i in range(24))
    )
    return (
        f'<circle cx="{cx}" cy="{cy}" r="118" fill="#efe3f5"/>{rays}'
        f'<circle cx="{cx}" cy="{cy}" r="56" fill="#f6d879" stroke="#c9972b" stroke-width="3"/>'
        f'<text x="{cx}" y="{cy + 15}" font-size="40" text-anchor="middle" '
        f'fill="{MAJOR_INK}" font-family="serif" font-weight="bold">{roman(number)}</text>'
    )


def minor_art(card: dict) -> str:
    """The ace as one large pip, two to ten as a grid of pips, courts as a mark and a pip."""
    suit, number, ink = card["suit"], card["number"], SUIT_INK[card["suit"]]
    if number == 1:
        return symbol(suit, WIDTH / 2, 235, 170, ink)
    if number <= 10:
        left, top, width, height = 62, 80, WIDTH - 124, 310
        return "".join(
            symbol(suit, left + px * width, top + py * height, 58, ink) for px, py in PIPS[number]
        )
    mark = COURT_MARK[card["rank"]]
    return (
        f'<text x="{WIDTH / 2}" y="185" font-size="82" text-anchor="middle" fill="{ink}" '
        f'font-family="serif" font-weight="bold">{mark}</text>'
        + symbol(suit, WIDTH / 2, 300, 120, ink)
    )


def face(card: dict) -> str:
    """The whole SVG document of one card."""
    ink = MAJOR_INK if card["arcana"] == "major" else SUIT_INK[card["suit"]]
    art = major_art(card["number"]) if card["arcana"] == "major" else minor_art(card)
    numeral = roman(card["number"]) if card["arcana"] == "major" else ""
    name = card["name"].upper()
    size = 22 if len(name) <= 12 else 18 if len(name) <= 16 else 16
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{card["name"]}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="16" fill="#fbf6ea"/>'
        f'<rect x="10" y="10" width="{WIDTH - 20}" height="{HEIGHT - 20}" rx="10" fill="none" '
        f'stroke="{ink}" stroke-width="4"/>'
        f'<text x="{WIDTH / 2}" y="48" font-size="24" text-anchor="middle" fill="{ink}" '
        f'font-family="serif">{numeral}</text>{art}'
        f'<rect x="24" y="{HEIGHT - 78}" width="{WIDTH - 48}" height="50" rx="6" fill="#fff" '
        f'stroke="{ink}" stroke-width="2"/>'
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 46}" font-size="{size}" text-anchor="middle" '
        f'fill="#222" font-family="serif" letter-spacing="1">{name}</text></svg>\n'
    )


def main() -> None:
    """Write one face per card, named by card id."""
    OUT.mkdir(parents=True, exist_ok=True)
    names = [f"cards_{part}.json" for part in ("major", "wands", "cups", "swords", "pentacles")]
    count = 0
    for name in names:
        for card in json.loads((DATA / name).read_text(encoding="utf-8")):
            (OUT / f"{card['id']}.svg").write_text(face(card), encoding="utf-8")
            count += 1
    print(f"wrote {count} faces to {OUT}")


if __name__ == "__main__":
    main()
