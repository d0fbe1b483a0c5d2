"""The application state is one typed container, read through deps.py, never as a bag."""

import re
from pathlib import Path

import pytest

from tarot.db.session import Database
from tarot.main import create_app
from tarot.state import AppState, state_of

PACKAGE = Path(__file__).resolve().parents[1] / "backend" / "tarot"
BAG = re.compile(r"\bapp\.state\.(?!tarot\b)\w+")


def test_nothing_reads_app_state_but_the_container():
    readers = {
        str(path.relative_to(PACKAGE)): BAG.findall(path.read_text())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: found for name, found in readers.items() if found} == {}
    routes = [p for p in (PACKAGE / "api").glob("*.py") if "request.app.state" in p.read_text()]
    assert routes == [], "routes take the state from a deps.py alias"


async def test_the_lifespan_opens_what_create_app_could_not(make_settings):
    app = create_app(make_settings("sqlite"))
    state = state_of(app)
    assert isinstance(state, AppState) and state.settings.database_url.startswith("sqlite")
    with pytest.raises(AttributeError):
        state.db  # noqa: B018 - opened by the lifespan, not before
    async with app.router.lifespan_context(app):
        assert isinstance(state.db, Database) and state.memory.caches == state.caches
        assert state.caches == [state.catalog_cache]
        assert state.listener is None, "no LISTEN/NOTIFY on SQLite"
    assert state_of(app) is state, "one container for the app's life"
