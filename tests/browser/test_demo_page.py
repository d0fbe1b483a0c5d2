"""The demo page at `/`, used in Chromium as a visitor would: ask, watch, see the cards."""

from __future__ import annotations

import hashlib

import httpx

QUESTION = "What should I focus on this month?"
CARDS_LOADED = """
(() => {
  const images = [...document.querySelectorAll('#cards img')];
  return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0)
    && images.length;
})()
"""
LAID_OUT = """
[...document.querySelectorAll('#cards figure')].map((figure) => ({
  reversed: figure.classList.contains('reversed'),
  transform: getComputedStyle(figure.querySelector('img')).transform,
  src: figure.querySelector('img').getAttribute('src'),
  caption: figure.querySelector('figcaption').textContent,
}))
"""


def _mixed_seed(base: str) -> int:
    """A seed whose three-card draw has both upright and reversed cards (same draw as readings)."""
    for seed in range(1, 200):
        drawn = httpx.get(f"{base}/api/v1/cards/random", params={"n": 3, "seed": seed}).json()
        if len({card["reversed"] for card in drawn}) == 2:
            return seed
    raise AssertionError("no seed in 1..199 mixes orientations")


async def test_a_visitor_asks_and_watches_the_reading_arrive(live_server, page, artifacts):
    seed = _mixed_seed(live_server.url)
    await page.goto(f"{live_server.url}/?seed={seed}")
    await page.wait_for("document.body.dataset.state === 'ready'")
    spreads = await page.evaluate(
        "[...document.querySelectorAll('#spread option')].map(o => o.value)"
    )
    listed = httpx.get(f"{live_server.url}/api/v1/spreads").json()
    assert spreads == [spread["slug"] for spread in listed], "the choices come from the API"

    await page.evaluate("document.querySelector('#question').focus()")
    await page.send("Input.insertText", {"text": QUESTION})
    await page.evaluate("document.querySelector('#spread').value = 'three-card'")
    await page.evaluate("document.querySelector('#submit').click()")

    await page.wait_for("document.body.dataset.state === 'done'", timeout=60)
    assert await page.wait_for(CARDS_LOADED) == 3
    reading_id = await page.evaluate("document.body.dataset.readingId")
    stored = httpx.get(f"{live_server.url}/api/v1/readings/{reading_id}").json()
    assert stored["question"] == QUESTION and stored["seed"] == seed
    shown = await page.evaluate("document.querySelector('#reading').textContent")
    assert shown == stored["interpretation"] and len(shown) > 200

    laid = await page.evaluate(LAID_OUT)
    assert [card["reversed"] for card in laid] == [card["reversed"] for card in stored["cards"]]
    assert {card["reversed"] for card in laid} == {True, False}
    for card, expected in zip(laid, stored["cards"], strict=True):
        assert card["src"] == expected["image_url"]
        assert expected["name"] in card["caption"] and expected["position_name"] in card["caption"]
        # Reversed cards are turned upside down (rotate(180deg) computes to -1 on the diagonal).
        assert card["transform"] == ("matrix(-1, 0, 0, -1, 0, 0)" if card["reversed"] else "none")
    assert await page.evaluate("document.querySelector('#status').textContent") == (
        "Written by the offline reader."
    )

    shot = await page.screenshot(artifacts / "demo.png")
    print(f"demo page screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert not [line for line in page.console() if line], page.console()


async def test_the_page_and_its_assets_are_cached_and_still_update(live_server):
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        first = await client.get("/")
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
        assert first.headers["referrer-policy"] == "no-referrer"
        again = await client.get("/", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and not again.content
        for asset in ("app.js", "app.css"):
            start = first.text.index(f"/static/demo/{asset}?v=")
            url = first.text[start : first.text.index('"', start)]
            served = await client.get(url)
            assert served.status_code == 200
            assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
            # The version is the file's content hash, so an edit changes the URL.
            version = url.split("?v=")[1]
            assert hashlib.sha256(served.content).hexdigest().startswith(version)
