from fastapi import APIRouter

from mnp_chatbot.auth.router import errors
from mnp_chatbot.channels.line.dependencies import LineChannelDep, VerifiedBody

router = APIRouter(prefix="/api/line", tags=["line"])


@router.post(
    "/webhook",
    responses=errors(400, 401, 404, 413, 429),
    summary="LINE Messaging API webhook: signed by LINE, acknowledged at once, processed after",
)
async def post_webhook(body: VerifiedBody, line: LineChannelDep) -> dict[str, str]:
    await line.accept(body)
    return {}
