from typing import Annotated

from fastapi import APIRouter, Path, Query

from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.core.validation import SingleLine
from mnp_chatbot.faq.dependencies import FaqServiceDep
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.schemas import (
    CarrierListResponse,
    CarrierRead,
    FaqEntryRead,
    FaqListResponse,
    FaqSearchResponse,
)

router = APIRouter(prefix="/api", tags=["knowledge"])

SearchQuery = Annotated[
    str, Query(min_length=1, max_length=500, description="The customer's question"), SingleLine
]
Key = Annotated[str, Path(max_length=96), SingleLine]
Line = Annotated[str, SingleLine]


@router.get("/faqs/search", response_model=FaqSearchResponse)
async def search_faqs(
    q: SearchQuery, faq: FaqServiceDep, limit: Annotated[int, Query(ge=1, le=50)] = 5
) -> FaqSearchResponse:
    return FaqSearchResponse(results=await faq.search(q, limit=limit))


@router.get("/faqs", response_model=FaqListResponse, response_model_by_alias=True)
async def list_faqs(
    faq: FaqServiceDep,
    category: Annotated[Line | None, Query(max_length=32)] = None,
    brand: Annotated[Line | None, Query(max_length=48)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, object]:
    entries = await faq.list_entries(category=category, brand=brand, limit=limit, offset=offset)
    return {"items": entries}


@router.get("/faqs/{key}", response_model=FaqEntryRead, response_model_by_alias=True)
async def get_faq(key: Key, faq: FaqServiceDep) -> FaqEntry:
    return await faq.get(key)


@router.get("/carriers", response_model=CarrierListResponse, response_model_by_alias=True)
async def list_carriers(faq: FaqServiceDep) -> dict[str, object]:
    return {"items": await faq.list_carriers()}


@router.get("/carriers/{key}", response_model=CarrierRead, response_model_by_alias=True)
async def get_carrier(key: Key, faq: FaqServiceDep) -> Carrier:
    return await faq.get_carrier(key)
