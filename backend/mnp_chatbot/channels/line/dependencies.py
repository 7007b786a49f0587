"""The webhook's guard: the channel is on, the signature matches the raw body, then (only then) parsing."""

from typing import Annotated, cast

from fastapi import Depends, Request
from pydantic import ValidationError

from mnp_chatbot.channels.line import signature
from mnp_chatbot.channels.line.exceptions import InvalidSignature, LineChannelOff, MalformedWebhook
from mnp_chatbot.channels.line.schemas import WebhookBody
from mnp_chatbot.channels.line.service import LineChannel
from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)
SIGNATURE_HEADER = "x-line-signature"


async def get_line(resources: ResourcesDep) -> LineChannel:
    line = resources.extras.get("line")
    if line is None:
        raise LineChannelOff()
    return cast(LineChannel, line)


LineChannelDep = Annotated[LineChannel, Depends(get_line)]


async def verified_body(request: Request, line: LineChannelDep, resources: ResourcesDep) -> WebhookBody:
    secret = resources.settings.LINE_CHANNEL_SECRET
    if secret is None:
        raise LineChannelOff()
    signatures = request.headers.getlist(SIGNATURE_HEADER)
    raw = await request.body()
    if len(signatures) != 1 or not signature.is_valid_signature(
        raw, signatures[0], secret.get_secret_value().encode()
    ):
        reason = "missing" if not signatures else "repeated" if len(signatures) > 1 else "mismatch"
        log.warning("line.webhook.rejected", reason=reason, body_bytes=len(raw))
        raise InvalidSignature()
    try:
        return WebhookBody.model_validate_json(raw)
    except ValidationError as error:
        log.warning("line.webhook.malformed", errors=error.error_count())
        raise MalformedWebhook() from None


VerifiedBody = Annotated[WebhookBody, Depends(verified_body)]
