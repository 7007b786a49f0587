"""A page object for the customer chat, shared by the browser tests."""

import json
from pathlib import Path

from playwright.async_api import FrameLocator, Locator, Page, WebSocket


class ChatPage:
    def __init__(self, page: Page | FrameLocator) -> None:
        self.page = page
        self.answers = page.locator("li.row-assistant[data-message-id]")  # finished answers, not the stream
        self.questions = page.locator("li.row-user")
        self.input = page.get_by_label("メッセージ", exact=True)
        self.quick_replies = page.get_by_role("navigation", name="よく選ばれる返信")

    async def ask(self, text: str) -> Locator:
        """Types a question, sends it with Enter and returns the answer it gets."""
        count = await self.answers.count()
        await self.input.fill(text)
        await self.input.press("Enter")
        return await self._next_answer(count)

    async def choose(self, label: str) -> Locator:
        """Taps a quick reply and returns the answer it gets."""
        count = await self.answers.count()
        await self.quick_replies.get_by_role("button", name=label, exact=True).click()
        return await self._next_answer(count)

    async def _next_answer(self, count: int) -> Locator:
        answer = self.answers.nth(count)
        await answer.wait_for()
        return answer


class SocketFrames:
    """socket.io events the server pushed to the page over WebSocket, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def attach(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._received)

    def _received(self, payload: str | bytes) -> None:
        text = payload.decode() if isinstance(payload, bytes) else payload
        if not text.startswith("42"):
            return
        event = json.loads(text[2:])
        if isinstance(event, list) and event and isinstance(event[0], str):
            self.events.append((event[0], event[1] if len(event) > 1 else None))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def streamed_text(self) -> str:
        return "".join(
            str(body.get("text", ""))
            for name, body in self.events
            if name == "chat:delta" and isinstance(body, dict)
        )


async def save(page: Page, folder: Path, name: str) -> None:
    await page.screenshot(path=folder / f"{name}.png")
