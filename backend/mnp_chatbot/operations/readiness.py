"""Is this server ready for production? Each check passes or fails with one line saying why.

Run by `mnp-chatbot check-production [--json]` (and scripts/production-readiness-check.sh, the seed's name).
"""

import asyncio
import datetime as dt
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import psutil
import redis.asyncio as aioredis
from alembic.config import Config
from alembic.script import ScriptDirectory
from cryptography import x509
from redis.exceptions import AuthenticationError, ResponseError
from sqlalchemy.engine import make_url

from mnp_chatbot.core.config import DEVELOPMENT_KEYS, REQUIRED_IN_PRODUCTION, Settings, is_placeholder
from mnp_chatbot.llm import openai as llm_openai
from mnp_chatbot.operations.repository import read_facts

MIN_SECRET_LENGTH = 32
MIN_POSTGRES = 140000
CERT_MIN_DAYS = 14
MIN_FREE_DISK_BYTES = 2 * 1024**3
MIN_FREE_DISK_RATIO = 0.10
MIN_AVAILABLE_MEMORY_BYTES = 1024**3
TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'} {self.name}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "message": self.message}


@dataclass(frozen=True, slots=True)
class Options:
    cert_path: Path | None = None  # the certificate nginx serves (default SSL_CERT_PATH)
    cert_min_days: int = CERT_MIN_DAYS
    disk_path: Path | None = None  # default DATA_DIR (or the working directory)


def check_environment(settings: Settings) -> Check:
    if settings.is_production:
        return Check("environment", True, "NODE_ENV=production")
    return Check("environment", False, f"NODE_ENV is {settings.ENVIRONMENT.value}, not production")


def secret_problem(name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return f"{name} is not set"
    if is_placeholder(value):
        return f"{name} is still a placeholder"
    if value.strip() in DEVELOPMENT_KEYS:
        return f"{name} is the development key"
    if len(value.strip()) < MIN_SECRET_LENGTH:
        return f"{name} has {len(value.strip())} characters, fewer than {MIN_SECRET_LENGTH}"
    if len(set(value.strip())) < 8:
        return f"{name} repeats too few distinct characters"
    return None


def check_secrets(settings: Settings) -> Check:
    names = [*REQUIRED_IN_PRODUCTION, *(["OPS_TOKEN"] if settings.OPS_TOKEN is not None else [])]
    values = {name: getattr(settings, name) for name in names}
    problems = [
        problem
        for name, secret in values.items()
        if (problem := secret_problem(name, secret.get_secret_value() if secret else None))
    ]
    distinct = {secret.get_secret_value() for secret in values.values() if secret is not None}
    if len(distinct) < len([v for v in values.values() if v is not None]):
        problems.append("two secrets have the same value")
    if problems:
        return Check("secrets", False, "; ".join(problems) + " (generate with: openssl rand -base64 32)")
    return Check("secrets", True, f"{', '.join(names)} set, at least {MIN_SECRET_LENGTH} characters")


def head_revision() -> str | None:
    ini = Path(__file__).resolve().parents[2] / "alembic.ini"
    return ScriptDirectory.from_config(Config(str(ini))).get_current_head()


async def check_database(settings: Settings) -> Check:
    if settings.DATABASE_URL is None:
        return Check("database", False, "DATABASE_URL is not set (the embedded database is for development)")
    url = make_url(settings.DATABASE_URL)
    where = f"{url.database} on {url.query.get('host') or url.host}:{url.port or 5432}"
    try:
        connection = await asyncio.wait_for(
            asyncpg.connect(
                user=url.username,
                password=url.password,
                database=url.database,
                host=url.query.get("host") or url.host,
                port=url.port,
                ssl="require" if settings.DATABASE_SSL else None,
            ),
            TIMEOUT_S,
        )
    except Exception as error:
        return Check("database", False, f"cannot connect to {where}: {type(error).__name__}: {error}")
    try:
        facts = await read_facts(connection)
    finally:
        await connection.close()
    head = head_revision()
    major = facts.server_version // 10000
    if facts.server_version < MIN_POSTGRES:
        return Check("database", False, f"PostgreSQL {major} is older than 14")
    if facts.revision != head:
        found = facts.revision or "none"
        return Check(
            "database", False, f"migrations at {found}, not at head {head}: run `mnp-chatbot migrate`"
        )
    if "vector" in facts.extensions and not facts.has_embedding_column:
        return Check("database", False, "pgvector is installed but the schema has no embedding column")
    if not facts.audit_append_only:
        return Check("database", False, "the audit log's append-only triggers are missing")
    vector = "pgvector on" if facts.has_embedding_column else "no pgvector: dense retrieval off"
    return Check("database", True, f"{where}: PostgreSQL {major}, migrations at head {head}, {vector}")


async def check_redis(settings: Settings) -> Check:
    if not settings.REDIS_URL:
        return Check(
            "redis", False, "REDIS_URL is not set (rate limits and socket.io need it across workers)"
        )
    password = settings.REDIS_PASSWORD.get_secret_value() if settings.REDIS_PASSWORD else None
    parts = urlsplit(settings.REDIS_URL)
    password = password or parts.password
    where = f"{parts.hostname}:{parts.port or 6379}"
    if not password:
        return Check("redis", False, f"no Redis password (set REDIS_PASSWORD and requirepass on {where})")
    client = aioredis.Redis.from_url(settings.REDIS_URL, password=password, socket_timeout=TIMEOUT_S)
    anonymous = aioredis.Redis(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        ssl=parts.scheme == "rediss",
        socket_timeout=TIMEOUT_S,
    )
    try:
        await client.ping()
    except Exception as error:
        return Check(
            "redis", False, f"Redis at {where} does not answer with the password: {type(error).__name__}"
        )
    finally:
        await client.aclose()
    try:
        await anonymous.ping()
        open_without = True
    except (AuthenticationError, ResponseError):
        open_without = False
    finally:
        await anonymous.aclose()
    if open_without:
        return Check("redis", False, f"Redis at {where} also answers without a password (set requirepass)")
    return Check("redis", True, f"Redis at {where} answers, with a password required")


def check_cors(settings: Settings) -> Check:
    origins = settings.CORS_ORIGIN
    if not origins:
        return Check("cors", False, "CORS_ORIGIN is not set (the site's https:// origins)")
    bad = [o for o in origins if o == "*" or not o.startswith("https://") or "yourdomain" in o]
    if bad:
        return Check("cors", False, f"CORS_ORIGIN must list real https:// origins, not {', '.join(bad)}")
    return Check("cors", True, f"CORS_ORIGIN={','.join(origins)}")


def check_certificate(settings: Settings, options: Options, now: dt.datetime) -> Check:
    path = options.cert_path or settings.SSL_CERT_PATH
    if path is None:
        return Check("tls", False, "no certificate to check (set SSL_CERT_PATH or pass --cert PATH)")
    try:
        certificate = x509.load_pem_x509_certificate(Path(path).read_bytes())
    except FileNotFoundError:
        return Check("tls", False, f"certificate {path} does not exist")
    except (OSError, ValueError) as error:
        return Check("tls", False, f"certificate {path} is not a readable PEM certificate: {error}")
    expires = certificate.not_valid_after_utc
    days = (expires - now).total_seconds() / 86400
    if certificate.not_valid_before_utc > now:
        return Check(
            "tls",
            False,
            f"certificate {path} is not valid before {certificate.not_valid_before_utc:%Y-%m-%d}",
        )
    if days < options.cert_min_days:
        return Check(
            "tls",
            False,
            f"certificate {path} expires {expires:%Y-%m-%d} ({days:.1f} days; renew: certbot renew)",
        )
    return Check("tls", True, f"certificate {path} valid until {expires:%Y-%m-%d} ({int(days)} days)")


def disk_verdict(path: Path, free: int, total: int) -> Check:
    ratio = free / total if total else 0.0
    message = f"{free / 1024**3:.1f} GiB free of {total / 1024**3:.1f} GiB on {path} ({ratio:.0%})"
    if free < MIN_FREE_DISK_BYTES or ratio < MIN_FREE_DISK_RATIO:
        return Check("disk", False, message + f"; needs at least 2 GiB and {MIN_FREE_DISK_RATIO:.0%}")
    return Check("disk", True, message)


def check_disk(settings: Settings, options: Options) -> Check:
    path = options.disk_path or settings.DATA_DIR
    path = path if path.exists() else Path.cwd()
    usage = shutil.disk_usage(path)
    return disk_verdict(path, usage.free, usage.total)


def memory_verdict(available: int, total: int) -> Check:
    message = f"{available / 1024**3:.1f} GiB available of {total / 1024**3:.1f} GiB"
    if available < MIN_AVAILABLE_MEMORY_BYTES:
        return Check("memory", False, message + "; needs at least 1 GiB available")
    return Check("memory", True, message)


def check_memory() -> Check:
    memory = psutil.virtual_memory()
    return memory_verdict(memory.available, memory.total)


async def check_llm(settings: Settings) -> Check:
    key = settings.OPENAI_API_KEY.get_secret_value() if settings.OPENAI_API_KEY else ""
    if is_placeholder(key):
        return Check("llm", True, "not configured: answers come from the knowledge base only")
    client = llm_openai.open_client(api_key=key, base_url=settings.OPENAI_BASE_URL)
    where = settings.OPENAI_BASE_URL or "the OpenAI API"
    try:
        await asyncio.wait_for(
            client.chat.completions.create(
                model=settings.OPENAI_MODEL, messages=[{"role": "user", "content": "ping"}], max_tokens=1
            ),
            TIMEOUT_S,
        )
    except Exception as error:
        return Check("llm", False, f"{where} did not answer a 1-token request: {type(error).__name__}")
    finally:
        await client.close()
    return Check("llm", True, f"{where} answers ({settings.OPENAI_MODEL})")


def check_data_protection(settings: Settings) -> Check:
    problems = []
    if not settings.ENABLE_AUDIT_LOGS:
        problems.append("ENABLE_AUDIT_LOGS is false")
    if settings.RETENTION_PURGE_INTERVAL_SECONDS == 0:
        problems.append("RETENTION_PURGE_INTERVAL_SECONDS=0 turns the retention purge off")
    if not settings.MASK_PERSONAL_DATA:
        problems.append("MASK_PERSONAL_DATA is false")
    if problems:
        return Check("retention-audit", False, "; ".join(problems))
    return Check(
        "retention-audit",
        True,
        f"audit on, purge every {settings.RETENTION_PURGE_INTERVAL_SECONDS} s of data older than "
        f"{settings.DATA_RETENTION_DAYS} days, masking on",
    )


async def run_checks(
    settings: Settings, options: Options, *, settings_error: str | None = None
) -> list[Check]:
    now = dt.datetime.now(dt.UTC)
    checks = [Check("settings", False, settings_error)] if settings_error else []
    checks += [check_environment(settings), check_secrets(settings)]
    slow: list[Callable[[], Awaitable[Check]]] = [
        lambda: check_database(settings),
        lambda: check_redis(settings),
        lambda: check_llm(settings),
    ]
    database, redis_check, llm = await asyncio.gather(*(run() for run in slow))
    checks += [database, redis_check, check_cors(settings), check_certificate(settings, options, now)]
    checks += [check_disk(settings, options), check_memory(), llm, check_data_protection(settings)]
    return checks
