"""What the app stored, for the LINE tests: rows, Redis keys and values, every table's content."""

import redis.asyncio as aioredis

from tests.channels.line.conftest import LineApp
from tests.fixtures.app import TEST_REDIS_URL


async def count(app: LineApp, sql: str, *args: object) -> int:
    async with app.resources.pool.acquire() as db:
        return int(await db.fetchval(sql, *args))


async def redis_snapshot() -> dict[bytes, bytes]:
    """Every string key of the tests' Redis database with its value (other types: their key only)."""
    client = aioredis.Redis.from_url(TEST_REDIS_URL)
    try:
        found: dict[bytes, bytes] = {}
        async for key in client.scan_iter(count=500):
            kind = await client.type(key)
            value = await client.get(key) if kind == b"string" else None
            found[key] = value.encode() if isinstance(value, str) else value or b""
        return found
    finally:
        await client.aclose()


async def database_text(app: LineApp) -> str:
    """Every row of every table of the public schema, as JSON text."""
    async with app.resources.pool.acquire() as db:
        tables = await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        parts: list[str] = []
        for table in tables:
            name = table["tablename"]
            rows = await db.fetch(f'SELECT row_to_json(t)::text AS row FROM "{name}" AS t')
            parts.extend(row["row"] for row in rows)
        return "\n".join(parts)
