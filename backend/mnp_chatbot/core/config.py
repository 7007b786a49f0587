"""Every setting the service reads, under the names of the seed's `.env.production` block."""

import ipaddress
import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mnp_chatbot.handoff import hours


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


# The env file is chosen before the settings are read, from the process environment only (a systemd unit's
# Environment=ENV_FILE=/etc/mnp-chatbot/.env.production, or `ENV_FILE=.env.production mnp-chatbot serve`).
ENV_FILE_VARIABLE = "ENV_FILE"
DEFAULT_ENV_FILE = ".env"

# Seed variables that are read but change nothing yet, and why (README and DEPLOYMENT.md say the same).
NO_EFFECT: dict[str, str] = {
    "LOG_PERSONAL_DATA": (
        "personal data is never written to logs, whatever the value (the masking of MASK_PERSONAL_DATA "
        "and the log filters always apply)"
    ),
}

PLACEHOLDER_MARKERS = ("your-", "changeme", "change-me", "<", "placeholder", "$(")
REQUIRED_IN_PRODUCTION = ("JWT_SECRET", "SESSION_SECRET", "ENCRYPTION_KEY")
# What the secrets fall back to outside production (where they are required); the readiness check refuses
# them as production secrets.
DEVELOPMENT_SESSION_KEY = "mnp-chatbot-development-session-key"
DEVELOPMENT_ENCRYPTION_KEY = "mnp-chatbot-development-encryption-key"
DEVELOPMENT_RATE_LIMIT_KEY = "mnp-chatbot-development-rate-limit-key"
DEVELOPMENT_KEYS = frozenset(
    {DEVELOPMENT_SESSION_KEY, DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_RATE_LIMIT_KEY}
)


class MissingEnvFile(FileNotFoundError):
    """ENV_FILE names a file that does not exist."""


class MissingSecret(ValueError):
    """A secret that production needs is absent or still a template placeholder."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    def __init__(self, **values: Any) -> None:
        """`Settings()` reads the env file that ENV_FILE names (env_file()); `_env_file=` overrides it."""
        if "_env_file" not in values:
            path = env_file()
            values["_env_file"] = path
            values.setdefault("ENV_FILE", str(path))
        super().__init__(**values)

    ENVIRONMENT: Environment = Field(
        default=Environment.DEVELOPMENT, validation_alias=AliasChoices("NODE_ENV", "APP_ENV", "ENVIRONMENT")
    )
    # Which env file was read (chosen from the process environment before the settings, see env_file())
    ENV_FILE: str = DEFAULT_ENV_FILE
    HOST: str = "0.0.0.0"
    PORT: int = Field(default=3000, ge=1, le=65535)
    DATA_DIR: Path = Path("var")

    DATABASE_URL: str | None = None
    # The table owner's URL for `mnp-chatbot migrate` when the app runs as a runtime role (roles.sql);
    # default: DATABASE_URL
    DATABASE_MIGRATION_URL: str | None = None
    DATABASE_SSL: bool = False
    DATABASE_POOL_MIN: int = Field(default=5, ge=0)
    DATABASE_POOL_MAX: int = Field(default=20, ge=1)

    REDIS_URL: str | None = None
    REDIS_PASSWORD: SecretStr | None = None

    JWT_SECRET: SecretStr | None = None
    SESSION_SECRET: SecretStr | None = None
    ENCRYPTION_KEY: SecretStr | None = None

    OPENAI_API_KEY: SecretStr | None = None
    OPENAI_MODEL: str = "gpt-4"
    OPENAI_MAX_TOKENS: int = Field(default=2000, ge=1)
    OPENAI_BASE_URL: str | None = None
    OPENAI_EMBEDDING_MODEL: str = "text-embedding-3-small"
    # The LLM circuit breaker (shared by every replica through Redis): it opens after this many consecutive
    # failed calls and lets one trial call through after the cooldown
    LLM_BREAKER_THRESHOLD: int = Field(default=5, ge=1)
    LLM_BREAKER_COOLDOWN_SECONDS: float = Field(default=30.0, gt=0)

    CORS_ORIGIN: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # The window of every request budget below
    RATE_LIMIT_WINDOW_MS: int = Field(default=900_000, ge=1)
    # Per client address: the public API outside the chat and the console (FAQ search, carriers, widget)
    RATE_LIMIT_MAX_REQUESTS: int = Field(default=200, ge=1)
    # Per conversation (a connection until it has one): chat messages, resyncs, history, 👍/👎, hand-off
    CHAT_RATE_LIMIT_PER_SESSION: int = Field(default=120, ge=1)
    # Per client address, all its conversations together: a ceiling for shop Wi-Fi and carrier-grade NAT
    CHAT_RATE_LIMIT_PER_ADDRESS: int = Field(default=3000, ge=1)
    # Per client address: the console's API (/api/admin/, /api/auth/), a budget of its own
    CONSOLE_RATE_LIMIT_MAX_REQUESTS: int = Field(default=1000, ge=1)
    AUTH_RATE_LIMIT_MAX: int = Field(default=5, ge=1)  # sign-ins per window, per address and per pair
    # Sign-ins per window for one account from all addresses together (the slower ceiling)
    AUTH_ACCOUNT_RATE_LIMIT_MAX: int = Field(default=30, ge=1)
    # Open socket.io connections one client address (IPv6: its /64) may hold to one process
    SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS: int = Field(default=20, ge=1)
    # Peers (IPs or CIDRs) whose X-Forwarded-For is believed, e.g. the nginx in front; empty: none
    TRUSTED_PROXIES: Annotated[list[str], NoDecode] = Field(default_factory=list)

    ACCESS_TOKEN_TTL_SECONDS: int = Field(default=900, ge=30, le=3600)
    REFRESH_TOKEN_TTL_SECONDS: int = Field(default=12 * 3600, ge=60)
    # The console signs out after this long without use, and the server refuses its refresh token after
    # ACCESS_TOKEN_TTL_SECONDS + this long without a refresh
    CONSOLE_IDLE_TIMEOUT_SECONDS: int = Field(default=900, ge=60, le=24 * 3600)
    AUTH_SESSION_MAX_SECONDS: int = Field(default=7 * 24 * 3600, ge=60)
    # Origins allowed to frame the chat page (the embeddable widget); empty: the CORS_ORIGIN list
    WIDGET_FRAME_ANCESTORS: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # A customer's chat session ends after this long without a message; the next one starts a new conversation
    SESSION_IDLE_TIMEOUT_HOURS: int = Field(default=7 * 24, ge=1)

    MASK_PERSONAL_DATA: bool = True
    LOG_PERSONAL_DATA: bool = False
    DATA_RETENTION_DAYS: int = Field(default=30, ge=1)
    GDPR_COMPLIANCE: bool = True
    # How often the in-app retention purge runs (one replica at a time); 0 turns the schedule off
    RETENTION_PURGE_INTERVAL_SECONDS: int = Field(default=3600, ge=0)

    SSL_CERT_PATH: Path | None = None
    SSL_KEY_PATH: Path | None = None
    HTTPS_PORT: int = Field(default=443, ge=1, le=65535)

    ENABLE_AUDIT_LOGS: bool = True
    LOG_LEVEL: str = "info"
    LOG_DIR: Path | None = None

    LINE_CHANNEL_ACCESS_TOKEN: SecretStr | None = None
    LINE_CHANNEL_SECRET: SecretStr | None = None
    LINE_API_BASE_URL: str = "https://api.line.me"
    # The bot's own user id (webhook `destination`); when set, bodies for another channel are ignored
    LINE_BOT_USER_ID: str | None = None
    # Events older than this (by their `timestamp`) are dropped as replays; shorter than DATA_RETENTION_DAYS
    LINE_MAX_EVENT_AGE_SECONDS: int = Field(default=24 * 3600, ge=60)
    LINE_WORKER_CONCURRENCY: int = Field(default=16, ge=1, le=256)  # events processed at once per replica
    # How long a replica holds an event it took; after a crash, another takes the event up once this passed.
    # Longer than the slowest handling (a 15 s model call, LINE's retries), short enough for a customer
    LINE_EVENT_LEASE_SECONDS: int = Field(default=120, ge=10, le=3600)
    # Process queued LINE events in the web process; false: only `mnp-chatbot line-worker` processes them
    LINE_WORKER_IN_PROCESS: bool = True

    # Production only: the interactive API docs (/docs, /redoc, /openapi.json) are off unless this is true
    ENABLE_API_DOCS: bool = False
    # Production only: who may read /metrics and the details of /health (/health/live and /health/ready stay
    # open): clients in these networks (CIDRs) or a request with `Authorization: Bearer <OPS_TOKEN>`
    OPS_ALLOWED_NETWORKS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    OPS_TOKEN: SecretStr | None = None
    # Process manager (deploy/gunicorn.conf.py): workers per instance (0: one per core); each worker's own
    # port for socket.io stickiness is WORKER_PORT_BASE + its slot (0: none); SIGTERM drain budget
    WEB_CONCURRENCY: int = Field(default=0, ge=0)
    WORKER_PORT_BASE: int = Field(default=0, ge=0, le=65000)
    GRACEFUL_TIMEOUT_SECONDS: int = Field(default=30, ge=5)
    # Set by the worker: the prefix of its engine.io session ids, which nginx routes on
    SOCKETIO_ROUTE: str | None = Field(default=None, pattern=r"^[a-z0-9]{1,16}$")
    # prometheus_client's multiprocess directory (read by the library itself; /metrics then sums workers)
    PROMETHEUS_MULTIPROC_DIR: Path | None = None

    # Human hand-off: when operators take conversations (`always`, or e.g. `mon-fri 09:00-18:00 Asia/Tokyo`),
    # dates nobody does (comma-separated YYYY-MM-DD), conversations per operator at once, how long an
    # operator may be unseen before their conversations go back to the queue, and how long a waiting
    # customer may be silent before the wait counts as abandoned. Admins can override these in the console.
    HANDOFF_HOURS: str = "always"
    HANDOFF_HOLIDAYS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    HANDOFF_CAPACITY: int = Field(default=3, ge=1, le=50)
    HANDOFF_RECLAIM_SECONDS: int = Field(default=120, ge=10)
    HANDOFF_ABANDON_SECONDS: int = Field(default=1800, ge=60)
    HANDOFF_SWEEP_INTERVAL_SECONDS: float = Field(default=15.0, ge=0)
    OPERATOR_SOCKET_RECHECK_SECONDS: float = Field(default=30.0, gt=0, le=3600)

    MAX_BODY_BYTES: int = Field(default=64 * 1024, ge=1024)
    MAX_IMPORT_BYTES: int = Field(default=8 * 1024 * 1024, ge=1024)  # operators' knowledge imports

    @field_validator(
        "CORS_ORIGIN",
        "TRUSTED_PROXIES",
        "WIDGET_FRAME_ANCESTORS",
        "OPS_ALLOWED_NETWORKS",
        "HANDOFF_HOLIDAYS",
        mode="before",
    )
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("TRUSTED_PROXIES", "OPS_ALLOWED_NETWORKS")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)
        return value

    @model_validator(mode="after")
    def _readable_hours(self) -> "Settings":
        hours.parse_hours(self.HANDOFF_HOURS, self.HANDOFF_HOLIDAYS)  # InvalidHours says what is wrong
        return self

    @field_validator("LOG_LEVEL")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().lower()
        if level not in {"debug", "info", "warning", "warn", "error", "critical"}:
            raise ValueError(f"unknown LOG_LEVEL {value!r}")
        return "warning" if level == "warn" else level

    @model_validator(mode="after")
    def _production_secrets(self) -> "Settings":
        if self.ENVIRONMENT is not Environment.PRODUCTION:
            return self
        for name in REQUIRED_IN_PRODUCTION:
            secret: SecretStr | None = getattr(self, name)
            if secret is None or is_placeholder(secret.get_secret_value()):
                raise MissingSecret(f"{name} must be set to a real secret when NODE_ENV=production")
        return self

    @property
    def is_production(self) -> bool:
        return self.ENVIRONMENT is Environment.PRODUCTION

    @property
    def api_docs_enabled(self) -> bool:
        return not self.is_production or self.ENABLE_API_DOCS

    @property
    def uses_embedded_database(self) -> bool:
        return self.DATABASE_URL is None

    @property
    def session_key(self) -> bytes:
        """The key of customers' session tokens (SESSION_SECRET, else the development key)."""
        return _secret(self.SESSION_SECRET, DEVELOPMENT_SESSION_KEY).encode()

    @property
    def rate_limit_key(self) -> bytes:
        """The key that hashes rate-limited identities (SESSION_SECRET, else its own development key)."""
        return _secret(self.SESSION_SECRET, DEVELOPMENT_RATE_LIMIT_KEY).encode()

    @property
    def encryption_secret(self) -> str:
        """The passphrase of personal data at rest (ENCRYPTION_KEY, else the development key)."""
        return _secret(self.ENCRYPTION_KEY, DEVELOPMENT_ENCRYPTION_KEY)

    @property
    def line_enabled(self) -> bool:
        """The LINE channel runs only with both its secret and its access token."""
        return all(
            value is not None and not is_placeholder(value.get_secret_value())
            for value in (self.LINE_CHANNEL_SECRET, self.LINE_CHANNEL_ACCESS_TOKEN)
        )


def _secret(value: SecretStr | None, development: str) -> str:
    return value.get_secret_value() if value is not None else development


def is_placeholder(value: str) -> bool:
    lowered = value.strip().lower()
    return not lowered or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def env_file(environ: dict[str, str] | None = None) -> Path:
    """The env file to read: ENV_FILE from the process environment (e.g. `.env.production`), else `.env`.

    A file named explicitly must exist; the default `.env` may be absent (then only the environment counts).
    """
    environ = dict(os.environ) if environ is None else environ
    chosen = environ.get(ENV_FILE_VARIABLE, "").strip()
    if not chosen:
        return Path(DEFAULT_ENV_FILE)
    path = Path(chosen)
    if not path.is_file():
        raise MissingEnvFile(f"ENV_FILE={chosen} does not exist (working directory {Path.cwd()})")
    return path


@lru_cache
def get_settings() -> Settings:
    return Settings()
