"""Settings from the environment (or a .env file), validated once at start-up.

Started with no settings at all, the app is in production mode and refuses to start until it is
given real secrets: nothing works by accident with a value that every copy of this code shares.
"""

import math
from collections import Counter
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Used only when ENVIRONMENT=development is set explicitly and no secret is given, so a fresh
# checkout starts without set-up. It is public (it is in this file): never a production value.
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32
# Estimated from the secret's own characters; 32 random URL-safe characters give about 150.
MIN_SECRET_BITS = 100
# Words that mark a value copied from documentation rather than generated.
PLACEHOLDER_WORDS = ("change", "example", "placeholder", "replace", "your", "secret", "xxxx")
# Hex digits hold no placeholder word, so the value this prints is never refused.
SECRET_HINT = 'python -c "import secrets; print(secrets.token_hex(32))"'


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # A refused setting is named, never echoed: the input holds the secrets.
        hide_input_in_errors=True,
    )

    # Production unless said otherwise: a server started with no settings fails closed.
    environment: Literal["development", "test", "production"] = "production"
    database_url: str = "sqlite:///./app.db"
    db_pool_size: int = Field(5, ge=1)
    db_max_overflow: int = Field(10, ge=0)
    # Serverless PostgreSQL drops idle connections: recycle them before it does.
    db_pool_recycle_seconds: int = Field(300, ge=0)
    db_statement_timeout_ms: int = Field(10000, ge=0)
    # Checks each write connection before use (one extra round trip) so a connection the server
    # dropped is replaced instead of failing a request. Reads retry once on a dropped connection.
    db_pool_pre_ping: bool = True
    # PostgreSQL reads on asyncpg (faster: README, "Performance"); false: on the engine.
    db_async_reads: bool = True
    # Prepared statements kept per read connection; 0 behind PgBouncer in transaction mode.
    db_statement_cache_size: int = Field(100, ge=0)

    # Empty means "not set": refused outside development (see _require_strong_secret).
    app_jwt_secret: SecretStr = SecretStr("")
    access_token_minutes: int = Field(30, ge=1)
    # Failed sign-ins allowed per account and per client address in the window; past them 429
    # (app/utils/throttle.py). "memory" counts per worker process; "package.module:factory"
    # names a store shared by every worker.
    login_max_failures_per_account: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(20, ge=1)
    login_throttle_window_seconds: int = Field(900, ge=1)
    login_throttle_max_keys: int = Field(10000, ge=100)
    login_throttle_store: str = Field(
        "memory", pattern=r"^(memory|[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*)$"
    )
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = Field(30, ge=0, le=300)
    # Verified tokens remembered (until they expire) so a repeat caller skips the signature
    # check; 0 verifies every request.
    verified_token_cache_size: int = Field(10_000, ge=0)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    cors_origins: list[str] = []
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # All request headers together; a larger request is answered 431 before any work is done.
    max_header_bytes: int = Field(16_384, ge=1024)
    # /docs, /redoc and /openapi.json: unset, served everywhere but in production.
    docs_enabled: bool | None = None
    # Strict-Transport-Security max-age, sent when TLS terminates in front of the app; 0: none.
    hsts_seconds: int = Field(0, ge=0)
    # How long a create's Idempotency-Key is remembered (a retry within it gets the first row).
    idempotency_key_hours: int = Field(24, ge=1)

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        # Hosted PostgreSQL hands out postgres:// URLs; SQLAlchemy would pick psycopg2 for them.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @model_validator(mode="after")
    def _require_strong_secret(self) -> "Settings":
        secret = self.app_jwt_secret.get_secret_value()
        if self.environment == "development":
            if not secret:
                self.app_jwt_secret = SecretStr(DEVELOPMENT_SECRET)
            return self
        problem = weak_secret_problem(secret)
        if problem is not None:
            raise ValueError(
                f"APP_JWT_SECRET {problem} (ENVIRONMENT={self.environment}); "
                f"generate one with: {SECRET_HINT}"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def serves_docs(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment != "production"


def weak_secret_problem(secret: str) -> str | None:
    """Why a token secret is unfit outside development, or None when it is fit."""
    if not secret:
        return "is not set"
    if secret == DEVELOPMENT_SECRET:
        return "is the public development secret"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    lowered = secret.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return "looks like a placeholder, not a random value"
    if estimated_bits(secret) < MIN_SECRET_BITS:
        return "is too predictable (too few distinct characters)"
    return None


def estimated_bits(secret: str) -> float:
    """Shannon entropy of the secret's characters times its length: low for "aaaa..." or
    "abcabc...", high for a random token."""
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


@lru_cache
def get_settings() -> Settings:
    return Settings()
