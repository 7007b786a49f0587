"""The console's publish reviews: operators' FAQ publications waiting for an admin.

Admins and operators read them; only admins approve or reject; viewers have no access.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from mnp_chatbot.auth.dependencies import AdminUser, StaffUser
from mnp_chatbot.auth.router import errors
from mnp_chatbot.editorial.dependencies import FaqReviewServiceDep
from mnp_chatbot.editorial.models import ReviewStatus
from mnp_chatbot.editorial.review_schemas import FaqReviewList, FaqReviewRead, FaqReviewReject
from mnp_chatbot.editorial.reviews import ReviewView

router = APIRouter(prefix="/api/admin/faq-reviews", tags=["admin: knowledge"])
DECIDE_ERRORS = errors(401, 403, 404, 409, 422, 429)


@router.get(
    "", response_model=FaqReviewList, response_model_by_alias=True, responses=errors(401, 403, 422, 429)
)
async def list_reviews(
    _: StaffUser,
    reviews: FaqReviewServiceDep,
    status: ReviewStatus = ReviewStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> dict[str, list[ReviewView]]:
    return {"items": await reviews.list_reviews(status, limit=limit)}


@router.get(
    "/{review_id}",
    response_model=FaqReviewRead,
    response_model_by_alias=True,
    responses=errors(401, 403, 404, 422, 429),
)
async def get_review(review_id: uuid.UUID, _: StaffUser, reviews: FaqReviewServiceDep) -> ReviewView:
    return await reviews.get_review(review_id)


@router.post(
    "/{review_id}/approve",
    response_model=FaqReviewRead,
    response_model_by_alias=True,
    responses=DECIDE_ERRORS,
)
async def approve_review(review_id: uuid.UUID, user: AdminUser, reviews: FaqReviewServiceDep) -> ReviewView:
    return await reviews.approve(user.id, review_id)


@router.post(
    "/{review_id}/reject", response_model=FaqReviewRead, response_model_by_alias=True, responses=DECIDE_ERRORS
)
async def reject_review(
    review_id: uuid.UUID, body: FaqReviewReject, user: AdminUser, reviews: FaqReviewServiceDep
) -> ReviewView:
    return await reviews.reject(user.id, review_id, body.reason)
