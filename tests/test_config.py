"""Settings.from_env reads TAROT_<FIELD> and the platform names a field's alias lists."""

import pytest
from pydantic import AliasChoices, AliasPath, Field

from tarot.config import Settings


def test_platform_names_and_tarot_names_are_read():
    settings = Settings.from_env({"DATABASE_URL": "sqlite+aiosqlite:///x.db", "TAROT_PORT": "9"})
    assert settings.database_url == "sqlite+aiosqlite:///x.db"
    assert settings.port == 9


def test_a_plain_name_alias_is_read_too():
    # Only AliasChoices were handled: a plain-string alias raised AttributeError on `.choices`.
    class Named(Settings):
        region: str = Field("none", validation_alias="FLY_REGION")

    assert Named.from_env({"FLY_REGION": "ams"}).region == "ams"
    assert Named.from_env({"TAROT_REGION": "cdg"}).region == "cdg"
    assert Named.from_env({}).region == "none"


def test_an_alias_path_is_refused_with_a_clear_error():
    class Pathed(Settings):
        region: str = Field("none", validation_alias=AliasChoices(AliasPath("fly", "region")))

    with pytest.raises(TypeError, match="not a path"):
        Pathed.from_env({})
