"""The LINE channel's long-lived parts, opened by the app's lifespan when the channel is configured."""

import datetime as dt
from dataclasses import dataclass

from mnp_chatbot.channels.line.client import LineClient
from mnp_chatbot.channels.line.repository import EventIntake
from mnp_chatbot.channels.line.service import LineChannel, LineConfig
from mnp_chatbot.channels.line.worker import EventWorker
from mnp_chatbot.chat.models import ChannelName
from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.resources import Resources
from mnp_chatbot.handoff.service import HandoffService
from mnp_chatbot.privacy.encryption import Encryptor
from mnp_chatbot.privacy.service import DataRightsService

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class LineRuntime:
    channel: LineChannel
    worker: EventWorker

    async def close(self) -> None:
        """Stops the worker, then closes the channel's HTTP client."""
        await self.worker.stop()
        await self.channel.client.close()


def open_channel(
    resources: Resources,
    chat: ChatService,
    *,
    encryptor: Encryptor,
    rights: DataRightsService,
    handoffs: HandoffService,
) -> LineRuntime | None:
    """The channel and its worker (started), or None when LINE's secret or access token is not set."""
    settings = resources.settings
    secret, token = settings.LINE_CHANNEL_SECRET, settings.LINE_CHANNEL_ACCESS_TOKEN
    if not settings.line_enabled or secret is None or token is None:
        return None
    client = LineClient(
        access_token=token.get_secret_value(),
        base_url=settings.LINE_API_BASE_URL,
    )
    config = LineConfig(
        token_key=settings.session_key,
        channel_secret=secret.get_secret_value().encode(),
        bot_user_id=settings.LINE_BOT_USER_ID,
        max_event_age_ms=settings.LINE_MAX_EVENT_AGE_SECONDS * 1000,
    )
    intake = EventIntake(resources.pool)
    line = LineChannel(resources.sessionmaker, intake, client, chat, encryptor, config, rights=rights)
    worker = EventWorker(
        resources.sessionmaker,
        line.handle,
        concurrency=settings.LINE_WORKER_CONCURRENCY,
        lease=dt.timedelta(seconds=settings.LINE_EVENT_LEASE_SECONDS),
    )
    line.on_enqueued = worker.wake
    handoffs.register_delivery(ChannelName.LINE.value, line.deliver)  # operators' messages reach LINE by push
    if settings.LINE_WORKER_IN_PROCESS:
        worker.start()
    log.info("line.channel.open", api=settings.LINE_API_BASE_URL)
    return LineRuntime(line, worker)
