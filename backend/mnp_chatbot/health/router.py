from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from mnp_chatbot.container import Services, ServicesDep
from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.core.errors import Forbidden
from mnp_chatbot.health import service
from mnp_chatbot.health.dependencies import OperationsAccess

router = APIRouter(tags=["operations"])


def _openai_status(services: Services) -> dict[str, Any]:
    if services.llm_model is None:
        return {"status": "not_configured"}
    return {"status": "configured", "model": services.llm_model}


@router.get(
    "/health",
    summary="Health in the seed's shape; 503 when the database is down",
    description="In production the checks are shown only to OPS_ALLOWED_NETWORKS or the OPS_TOKEN bearer; "
    "others get the status alone.",
)
async def health(services: ServicesDep, detailed: OperationsAccess) -> JSONResponse:
    resources = services.resources
    if not detailed:
        database = await service.check_database(resources.engine)
        healthy = database["status"] == "ok"
        return JSONResponse(
            {"message": "OK" if healthy else "Service Unavailable"}, status_code=200 if healthy else 503
        )
    healthy, report = await service.health_report(
        resources.engine,
        resources.store,
        openai=_openai_status(services),
        data_dir=resources.settings.DATA_DIR,
        vector=services.vector,
    )
    return JSONResponse(report, status_code=200 if healthy else 503)


@router.get("/health/live", summary="Liveness: the process answers")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", summary="Readiness: the database answers and the knowledge index is loaded")
async def ready(services: ServicesDep) -> JSONResponse:
    database = await service.check_database(services.resources.engine)
    index_ready = services.index.ready
    ok = database["status"] == "ok" and index_ready
    body = {"status": "ok" if ok else "unavailable", "database": database["status"], "index": index_ready}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics, the sum of every worker under gunicorn (in production: OPS_ALLOWED_NETWORKS "
    "or the OPS_TOKEN bearer only)",
    response_class=Response,
)
async def metrics(allowed: OperationsAccess, resources: ResourcesDep) -> Response:
    if not allowed:
        raise Forbidden("メトリクスは許可されたネットワークまたはトークンからのみ参照できます。")
    if resources.settings.PROMETHEUS_MULTIPROC_DIR is None:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
    registry = CollectorRegistry()
    path = str(resources.settings.PROMETHEUS_MULTIPROC_DIR)
    multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
