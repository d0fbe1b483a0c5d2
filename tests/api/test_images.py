"""Card images: an `image_url` on every card shape, served as immutable static files."""

import pytest

from api.test_accounts import new_reading
from tarot.api.pages import STATIC_DIR

IMMUTABLE = "public, max-age=31536000, immutable"


def expected(card_id: str, base: str = "/static/cards") -> str:
    return f"{base}/{card_id}.svg"


async def test_every_card_shape_has_its_image_url(client):
    page = (await client.get("/api/v1/cards", params={"limit": 100})).json()
    assert [card["image_url"] for card in page["items"]] == [
        expected(card["id"]) for card in page["items"]
    ]
    one = (await client.get("/api/v1/cards/cuqu")).json()
    assert one["image_url"] == expected("queen-of-cups")
    drawn = (await client.get("/api/v1/cards/random", params={"n": 3, "seed": 5})).json()
    assert all(item["card"]["image_url"] == expected(item["card"]["id"]) for item in drawn)
    daily = (await client.get("/api/v1/cards/daily")).json()
    assert daily["card"]["image_url"] == expected(daily["card"]["id"])
    reading = await new_reading(client)
    assert [card["image_url"] for card in reading["cards"]] == [
        expected(card["card_id"]) for card in reading["cards"]
    ]


async def test_the_base_url_points_somewhere_else_for_a_cdn(make_client):
    async with make_client("sqlite", image_base_url="https://cdn.example.com/tarot/") as client:
        card = (await client.get("/api/v1/cards/the-fool")).json()
        reading = await new_reading(client)
    assert card["image_url"] == "https://cdn.example.com/tarot/the-fool.svg"
    assert reading["cards"][0]["image_url"].startswith("https://cdn.example.com/tarot/")


async def test_every_catalog_card_has_a_face_on_disk(pg_client):
    page = (await pg_client.get("/api/v1/cards", params={"limit": 100})).json()
    ids = {card["id"] for card in page["items"]}
    on_disk = {path.stem for path in (STATIC_DIR / "cards").glob("*.svg")}
    assert ids == on_disk and len(ids) == 78


async def test_images_are_served_with_immutable_caching(pg_client):
    url = (await pg_client.get("/api/v1/cards/the-star")).json()["image_url"]
    image = await pg_client.get(url)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/svg+xml"
    assert image.headers["cache-control"] == IMMUTABLE
    assert image.content.startswith(b"<svg") and b"THE STAR" in image.content
    assert (
        int(image.headers["content-length"]) == (STATIC_DIR / "cards/the-star.svg").stat().st_size
    )
    again = await pg_client.get(url, headers={"If-None-Match": image.headers["etag"]})
    assert again.status_code == 304 and not again.content


@pytest.mark.parametrize(
    "path", ["/static/cards/no-such-card.svg", "/static/../config.py", "/static/cards/"]
)
async def test_missing_static_files_are_problem_404s(pg_client, path):
    response = await pg_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
