"""If-None-Match as RFC 9110 reads it: weak comparison, lists of tags, and `*`."""

import pytest

from tarot.api.http import etag_matches

PATHS = ("/api/v1/cards/the-fool", "/api/v1/spreads/three-card", "/openapi.json")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        (' "zzz" , W/"abc" ', True),
        ('"zzz", "abc"', True),
        ("*", True),
        ('"zzz"', False),
        ('"zzz", W/"yyy"', False),
        ('"ab"', False),
        ("", False),
        (None, False),
    ],
)
def test_etag_matches(header, expected):
    assert etag_matches(header, '"abc"') is expected


@pytest.mark.parametrize("path", PATHS)
async def test_weak_listed_and_star_tags_get_304(client, path):
    etag = (await client.get(path)).headers["etag"]
    for header in (f"W/{etag}", f'"other", {etag}', f'W/"other",W/{etag}', "*"):
        again = await client.get(path, headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b"" and again.headers["etag"] == etag
    miss = await client.get(path, headers={"If-None-Match": f'"other", W/"{etag[1:-2]}"'})
    assert miss.status_code == 200, "a list without our tag is no match"
