"""Settings read once from the environment; no SDK is imported here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from pydantic import (
    AliasChoices,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./tarot.db"
RATE_LIMIT_SCHEMES = frozenset({"memory", "redis", "rediss", "redis+unix"})


def normalize_database_url(url: str) -> str:
    """Map the URL schemes PaaS platforms hand out onto async SQLAlchemy drivers."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


class Settings(BaseModel):
    """Every knob of the service; `DATABASE_URL` and `PORT` as Zeabur sets them."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL", "TAROT_DATABASE_URL")
    )
    port: int = Field(8000, validation_alias=AliasChoices("PORT", "TAROT_PORT"))
    host: str = "0.0.0.0"  # noqa: S104 - a PaaS container must listen on every interface
    env: str = "development"
    log_level: str = "info"

    db_pool_size: int = 3
    db_max_overflow: int = 2
    db_echo: bool = False
    # A database that is down or frozen must give a 503 within seconds, not hang a request.
    # At worst a request waits for a pooled connection, its pre-ping, a reconnect: 1 + 2 + 1 s.
    db_connect_timeout_seconds: float = Field(1.0, gt=0)
    db_command_timeout_seconds: float = Field(2.0, gt=0)
    db_pool_timeout_seconds: float = Field(1.0, gt=0)

    cache_enabled: bool = True
    cache_ttl_seconds: int = 3600
    cache_maxsize: int = 512
    # Where card images live: our own static path, or a CDN (`https://cdn.example/cards`).
    image_base_url: str = "/static/cards"

    # LLM chain and providers.
    llm_providers: str = "gemini,openai,offline"
    gemini_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("GEMINI_API_KEY", "TAROT_GEMINI_API_KEY")
    )
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None
    # Gemini 2.5 spends "thinking" tokens out of max_output_tokens; 0 turns thinking off
    # (flash models), None leaves the model's default.
    gemini_thinking_budget: int | None = Field(0, ge=-1)
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "TAROT_OPENAI_API_KEY")
    )
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    llm_timeout_seconds: float = 60.0
    llm_first_chunk_timeout_seconds: float = 15.0
    llm_max_attempts: int = 3
    llm_backoff_seconds: float = 0.5
    llm_max_retry_after_seconds: float = 10.0
    llm_cooldown_failures: int = 3
    llm_cooldown_seconds: float = 60.0
    # Output budget per reading: base + per position (a Celtic Cross gets 3,000), capped.
    llm_output_tokens_base: int = Field(500, ge=1)
    llm_output_tokens_per_position: int = Field(250, ge=0)
    llm_max_output_tokens: int = Field(4096, ge=1)
    # The care line of a crisis reading (local emergency services, a crisis line); unset uses
    # the phrase data's default for the reading's language.
    crisis_text: str | None = None

    # Reading queue.
    worker_concurrency: int = 4
    queue_max_pending: int = 100
    reading_lease_seconds: float = 120.0
    reading_deadline_seconds: float = 90.0
    reading_wait_seconds: float = 30.0
    # The offline reader's readings (and crisis ones) are written in the request that stores
    # them; off, they go through the queue like any other (the queue's own tests do that).
    reading_inline_offline: bool = True
    # Idle workers wait for a wake (NOTIFY on Postgres); this slow sweep finds expired leases
    # and readings no wake announced. It replaces the old TAROT_QUEUE_POLL_SECONDS polling.
    queue_sweep_seconds: float = Field(60.0, gt=0)
    sse_heartbeat_seconds: float = 15.0
    # Follow-up questions a reading may have; past this a 429.
    max_follow_ups: int = Field(3, ge=0, le=50)

    # Accounts, abuse limits and request hygiene.
    secret_key: SecretStr | None = None
    # Sessions: short access tokens, refresh tokens that rotate, a briefly cached session check.
    access_token_minutes: float = Field(15, gt=0)
    refresh_token_days: float = Field(30, gt=0)
    session_check_seconds: float = Field(10, ge=0)
    # A reading's `stream_url` token: lets a browser's EventSource (no headers) follow it.
    stream_token_seconds: int = Field(300, ge=10, le=3600)
    rate_readings_anonymous: str = "10/minute"
    rate_readings_user: str = "30/minute"
    rate_auth: str = "10/minute"
    # Where the counters live: memory:// (per instance) or redis://host:port/db (shared).
    rate_limit_storage: str = "memory://"
    rate_limit_key_prefix: str = "tarot"
    max_body_bytes: int = 16 * 1024
    cors_origins: str = ""
    trusted_proxies: str = ""
    # Base of absolute links (Location, share URLs), e.g. https://tarot.example.com; without
    # it links are relative. The Host header is never used: a client controls it.
    public_url: str | None = Field(None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")

    # Operations.
    ops_token: SecretStr | None = None
    memory_soft_limit_mb: float | None = None
    memory_hard_limit_mb: float | None = None
    memory_check_seconds: float = 5.0
    scheduler_enabled: bool = False
    reading_retention_days: int = 30
    idempotency_ttl_seconds: float = Field(24 * 3600, gt=0)
    # Imports every optional heavy module at startup; exists only for the benchmark.
    eager_imports: bool = False

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("image_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        scheme = value.partition("://")[0]
        if scheme not in RATE_LIMIT_SCHEMES:
            raise ValueError(f"must start with one of {', '.join(sorted(RATE_LIMIT_SCHEMES))}://")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: str) -> str:
        # Credentialed CORS (the refresh cookie) must name its origins; "*" would allow any site.
        if "*" in value:
            raise ValueError("TAROT_CORS_ORIGINS must list origins; '*' is not allowed")
        return value

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.env.lower() in ("production", "prod")

    @property
    def provider_chain(self) -> list[str]:
        return [name.strip() for name in self.llm_providers.split(",") if name.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read `TAROT_<FIELD>` variables plus the platform names the aliases list.

        Plain pydantic does this in a few lines; pydantic-settings cost 1.3 MB of idle RSS.
        """
        values: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            for key in (*_variable_names(field.validation_alias), f"TAROT_{name.upper()}"):
                if key in environ:
                    values[name] = environ[key]
                    break
        return cls.model_validate(values, by_name=True)


def _variable_names(alias: str | AliasPath | AliasChoices | None) -> list[str]:
    """The environment variables a field's alias names, in order."""
    choices = alias.choices if isinstance(alias, AliasChoices) else [] if alias is None else [alias]
    names = [choice for choice in choices if isinstance(choice, str)]
    if len(names) != len(choices):  # a path reaches into nested data; a variable has none
        raise TypeError(f"a setting's alias must be variable names, not a path: {alias!r}")
    return names


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()
