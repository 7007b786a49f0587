"""Idle socket.io clients: N WebSocket sessions held open on one worker, answering its pings.

Each client speaks engine.io 4 itself (open, namespace connect, pong), the least a browser tab idling on
the chat does, so one asyncio process holds ten thousand. They come from 127.2.x.y addresses, 20 to an
address (SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS), straight to the worker's own port: nginx's default
worker_connections (1024) would be the limit otherwise, not the app.
"""

import asyncio
import contextlib
from dataclasses import dataclass, field

import aiohttp

PER_ADDRESS = 20


def address(n: int) -> str:
    slot = n // PER_ADDRESS
    return f"127.2.{slot // 250 % 250}.{slot % 250 + 1}"


@dataclass
class Idle:
    port: int
    connected: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    sessions: list[aiohttp.ClientSession] = field(default_factory=list)
    tasks: list["asyncio.Task[None]"] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.errors[reason] = self.errors.get(reason, 0) + 1

    async def hold(self, session: aiohttp.ClientSession, opened: asyncio.Event) -> None:
        url = f"http://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket"
        try:
            # autoping: aiohttp answers WebSocket pings (uvicorn closes a connection that does not);
            # engine.io's own pings ("2") are answered below.
            async with session.ws_connect(
                url, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_receive=None)
            ) as ws:
                first = await ws.receive_str(timeout=30)  # 0{"sid": …, "pingInterval": …}
                if not first.startswith("0"):
                    raise RuntimeError("no engine.io open packet")
                await ws.send_str("40")
                joined = await ws.receive_str(timeout=30)
                if not joined.startswith("40"):
                    raise RuntimeError(f"namespace refused: {joined[:80]}")
                self.connected += 1
                opened.set()
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.TEXT and message.data == "2":
                        await ws.send_str("3")
                self.connected -= 1
                self.fail("closed by the server")
        except (aiohttp.ClientError, RuntimeError, TimeoutError) as error:
            if not opened.is_set():
                self.fail(type(error).__name__ + ": " + str(error)[:80])
            else:
                self.connected -= 1
                self.fail("dropped: " + type(error).__name__)
        finally:
            opened.set()

    async def open(self, clients: int, at_once: int = 50) -> None:
        """Connects `clients` sessions, `at_once` handshakes in flight at a time."""
        slots = asyncio.Semaphore(at_once)
        for n in range(clients):
            if n % PER_ADDRESS == 0:
                connector = aiohttp.TCPConnector(local_addr=(address(n), 0), limit=0, force_close=True)
                self.sessions.append(aiohttp.ClientSession(connector=connector))
            await slots.acquire()
            opened = asyncio.Event()
            self.tasks.append(asyncio.create_task(self.hold(self.sessions[-1], opened)))
            asyncio.get_running_loop().create_task(self._release(opened, slots))
        for _ in range(at_once):
            await slots.acquire()

    @staticmethod
    async def _release(opened: asyncio.Event, slots: asyncio.Semaphore) -> None:
        await opened.wait()
        slots.release()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for session in self.sessions:
            await session.close()
