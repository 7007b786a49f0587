"""Health checks in the seed's JSON shape: uptime, message, timestamp and checks."""

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mnp_chatbot.core.redis import Store

STARTED_AT = time.monotonic()
CHECK_TIMEOUT_S = 2.0
DISK_WARNING_RATIO = 0.05


async def check_database(engine: AsyncEngine) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "down"; the kind is reported, not raised
        return {"status": "error", "error": type(error).__name__}
    return {"status": "ok", "latencyMs": round((time.perf_counter() - started) * 1000, 2)}


async def check_redis(store: Store) -> dict[str, Any]:
    if store.name == "memory":
        return {"status": "ok", "mode": "in-process"}
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await store.ping()
    except Exception as error:
        return {"status": "error", "mode": "redis", "error": type(error).__name__}
    return {"status": "ok", "mode": "redis"}


def check_disk(path: Path) -> dict[str, Any]:
    usage = shutil.disk_usage(path if path.exists() else Path.cwd())
    status = "ok" if usage.free / usage.total > DISK_WARNING_RATIO else "warning"
    return {"status": status, "free": usage.free, "total": usage.total}


def memory_usage() -> dict[str, Any]:
    info = psutil.Process(os.getpid()).memory_info()
    return {"rss": info.rss, "vms": info.vms}


NO_VECTOR_NOTE = "pgvector is not installed: dense retrieval is off, answers use lexical retrieval"


async def health_report(
    engine: AsyncEngine, store: Store, *, openai: dict[str, Any], data_dir: Path, vector: bool | None = None
) -> tuple[bool, dict[str, Any]]:
    database, redis_check = await asyncio.gather(check_database(engine), check_redis(store))
    if vector is not None:  # known once the app has started: whether the schema holds pgvector embeddings
        database["vector"] = vector
        if not vector:
            database["note"] = NO_VECTOR_NOTE
    healthy = database["status"] == "ok"
    report = {
        "uptime": round(time.monotonic() - STARTED_AT, 3),
        "message": "OK" if healthy else "Service Unavailable",
        "timestamp": int(time.time() * 1000),
        "checks": {
            "database": database,
            "redis": redis_check,
            "openai": openai,
            "diskSpace": check_disk(data_dir),
            "memory": memory_usage(),
        },
    }
    return healthy, report
