from typing import Annotated

from fastapi import Depends, Query, Request

from mnp_chatbot.audit.dependencies import AuditTrailDep
from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.editorial.bench import Bench
from mnp_chatbot.editorial.exceptions import UnsupportedKnowledgeFormat
from mnp_chatbot.editorial.reviews import FaqReviewService
from mnp_chatbot.editorial.service import KnowledgeEditor
from mnp_chatbot.faq.dependencies import KnowledgeIndexDep
from mnp_chatbot.knowledge import formats


async def get_editor(
    resources: ResourcesDep, index: KnowledgeIndexDep, audit: AuditTrailDep
) -> KnowledgeEditor:
    return KnowledgeEditor(resources.sessionmaker, audit, index)


async def get_bench(index: KnowledgeIndexDep) -> Bench:
    return Bench(index)


async def raw_body(request: Request) -> bytes:
    return await request.body()


def upload_format(
    request: Request,
    fmt: Annotated[
        formats.Format | None, Query(alias="format", description="Default: from Content-Type")
    ] = None,
) -> formats.Format:
    """The uploaded file's format: `?format=`, else the Content-Type."""
    chosen = fmt or formats.format_of_media_type(request.headers.get("content-type"))
    if chosen is None:
        raise UnsupportedKnowledgeFormat()
    return chosen


KnowledgeEditorDep = Annotated[KnowledgeEditor, Depends(get_editor)]
BenchDep = Annotated[Bench, Depends(get_bench)]
RawBody = Annotated[bytes, Depends(raw_body)]
UploadFormat = Annotated[formats.Format, Depends(upload_format)]
DownloadFormat = Annotated[formats.Format, Query(alias="format")]


async def get_reviews(
    resources: ResourcesDep, index: KnowledgeIndexDep, audit: AuditTrailDep
) -> FaqReviewService:
    return FaqReviewService(resources.sessionmaker, audit, index)


FaqReviewServiceDep = Annotated[FaqReviewService, Depends(get_reviews)]
