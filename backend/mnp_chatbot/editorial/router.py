"""The console's knowledge API: FAQ entries and carriers, file import/export, and the try-a-question bench.

Reading is open to every console role; changing the knowledge needs an admin or an operator. An operator's
publication of FAQ text waits for an admin's approval (review_router.py), and importing a FAQ file, which
publishes at once, is for admins.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from mnp_chatbot.auth.dependencies import AdminUser, CurrentUser, StaffUser
from mnp_chatbot.auth.router import errors
from mnp_chatbot.editorial.bench import BenchResult
from mnp_chatbot.editorial.dependencies import (
    BenchDep,
    DownloadFormat,
    KnowledgeEditorDep,
    RawBody,
    UploadFormat,
)
from mnp_chatbot.editorial.review_schemas import FaqEntryWritten
from mnp_chatbot.editorial.schemas import (
    CarrierWritten,
    FaqEntryWrite,
    FaqPage,
    ImportReportRead,
    TryRequest,
    TryResponse,
)
from mnp_chatbot.editorial.service import ImportReport
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.schemas import FaqEntryRead, FaqFilters
from mnp_chatbot.knowledge import formats
from mnp_chatbot.knowledge.schemas import CarrierDocument

router = APIRouter(prefix="/api/admin", tags=["admin: knowledge"])
IMPORT_PATHS = ("/api/admin/faqs/import", "/api/admin/carriers/import")  # MAX_IMPORT_BYTES; 64 KB elsewhere
READ_ERRORS = errors(401, 403, 422, 429)
WRITE_ERRORS = errors(401, 403, 404, 409, 413, 415, 422, 429)
UPLOAD: dict[str, object] = {
    "requestBody": {
        "required": True,
        "description": "A knowledge file: what the matching export returns (YAML, JSON or CSV)",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
MAX_OFFSET = 1_000_000
FaqKey = Annotated[str, Path(max_length=96, pattern=r"^[A-Za-z0-9_-]+$", description="Id or slug")]
CarrierId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{1,40}$")]
DryRun = Annotated[bool, Query(alias="dryRun", description="Validate and count only; write nothing")]


def attachment(data: bytes, fmt: formats.Format, name: str) -> Response:
    disposition = f'attachment; filename="{name}.{fmt.value}"'
    return Response(data, media_type=fmt.media_type, headers={"Content-Disposition": disposition})


@router.get("/faqs", response_model=FaqPage, response_model_by_alias=True, responses=READ_ERRORS)
async def list_faqs(
    _: CurrentUser,
    editor: KnowledgeEditorDep,
    q: Annotated[
        str | None, Query(max_length=200, pattern=PRINTABLE, description="Words in the entry")
    ] = None,
    category: Annotated[str | None, Query(max_length=32, pattern=PRINTABLE)] = None,
    brand: Annotated[str | None, Query(max_length=48, pattern=PRINTABLE)] = None,
    verified: bool | None = None,
    published: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, object]:
    filters = FaqFilters(q.strip() if q else None, category, brand, verified, published)
    items, total = await editor.list_faqs(filters, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/faqs/export", response_class=Response, responses=READ_ERRORS)
async def export_faqs(
    _: CurrentUser, editor: KnowledgeEditorDep, fmt: DownloadFormat = formats.Format.YAML
) -> Response:
    return attachment(await editor.export_faq_file(fmt), fmt, "faqs")


@router.post(
    "/faqs/import",
    response_model=ImportReportRead,
    response_model_by_alias=True,
    responses=WRITE_ERRORS,
    openapi_extra=UPLOAD,
)
async def import_faqs(
    user: AdminUser, editor: KnowledgeEditorDep, data: RawBody, fmt: UploadFormat, dry_run: DryRun = False
) -> ImportReport:
    return await editor.import_faq_file(user.id, data, fmt, dry_run=dry_run)


@router.get(
    "/faqs/{key}",
    response_model=FaqEntryRead,
    response_model_by_alias=True,
    responses=errors(401, 404, 422, 429),
)
async def get_faq(key: FaqKey, _: CurrentUser, editor: KnowledgeEditorDep) -> FaqEntry:
    return await editor.get_faq(key)


@router.post(
    "/faqs",
    response_model=FaqEntryWritten,
    response_model_by_alias=True,
    status_code=201,
    responses=WRITE_ERRORS,
)
async def create_faq(body: FaqEntryWrite, user: StaffUser, editor: KnowledgeEditorDep) -> FaqEntryWritten:
    return FaqEntryWritten.of(await editor.create_faq(user.id, body, role=user.role))


@router.put(
    "/faqs/{key}", response_model=FaqEntryWritten, response_model_by_alias=True, responses=WRITE_ERRORS
)
async def update_faq(
    key: FaqKey, body: FaqEntryWrite, user: StaffUser, editor: KnowledgeEditorDep
) -> FaqEntryWritten:
    return FaqEntryWritten.of(await editor.update_faq(user.id, key, body, role=user.role))


@router.delete("/faqs/{key}", status_code=204, response_class=Response, responses=WRITE_ERRORS)
async def delete_faq(key: FaqKey, user: StaffUser, editor: KnowledgeEditorDep) -> None:
    await editor.delete_faq(user.id, key)


@router.get("/carriers/export", response_class=Response, responses=READ_ERRORS)
async def export_carriers(
    _: CurrentUser, editor: KnowledgeEditorDep, fmt: DownloadFormat = formats.Format.YAML
) -> Response:
    return attachment(await editor.export_carrier_file(fmt), fmt, "carriers")


@router.post(
    "/carriers/import",
    response_model=ImportReportRead,
    response_model_by_alias=True,
    responses=WRITE_ERRORS,
    openapi_extra=UPLOAD,
)
async def import_carriers(
    user: StaffUser, editor: KnowledgeEditorDep, data: RawBody, fmt: UploadFormat, dry_run: DryRun = False
) -> ImportReport:
    return await editor.import_carrier_file(user.id, data, fmt, dry_run=dry_run)


@router.put("/carriers/{carrier_id}", response_model=CarrierWritten, responses=WRITE_ERRORS)
async def put_carrier(
    carrier_id: CarrierId, body: CarrierDocument, user: StaffUser, editor: KnowledgeEditorDep
) -> CarrierWritten:
    return CarrierWritten(id=carrier_id, created=await editor.put_carrier(user.id, carrier_id, body))


@router.post("/try", response_model=TryResponse, response_model_by_alias=True, responses=READ_ERRORS)
async def try_question(body: TryRequest, _: CurrentUser, bench: BenchDep) -> BenchResult:
    return bench.try_question(body.question, limit=body.limit)
