import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/api/errors";
import type { ChatResponse } from "../../src/api/types";
import {
  Realtime,
  type RealtimeListener,
  type RealtimeStatus,
  type SocketLike,
} from "../../src/chat/realtime";
import { response, SESSION } from "../fixtures";

type Handler = (...args: never[]) => void;

class FakeSocket implements SocketLike {
  connected = false;
  handlers = new Map<string, Handler>();
  emitted: unknown[][] = [];
  answer: ((event: string, body: unknown) => unknown) | null = null;
  connect = vi.fn();
  disconnect = vi.fn();

  on(event: string, listener: Handler) {
    this.handlers.set(event, listener);
  }

  emit(event: string, ...args: unknown[]) {
    this.emitted.push([event, ...args]);
    const ack = args[args.length - 1];
    if (this.answer && typeof ack === "function") ack(this.answer(event, args[0]));
  }

  fire(event: string, ...args: unknown[]) {
    if (event === "connect") this.connected = true;
    if (event === "disconnect") this.connected = false;
    (this.handlers.get(event) as ((...a: unknown[]) => void) | undefined)?.(...args);
  }
}

function listener() {
  return {
    status: vi.fn<(status: RealtimeStatus) => void>(),
    connected: vi.fn<() => void>(),
    start: vi.fn<() => void>(),
    delta: vi.fn<(text: string) => void>(),
    reset: vi.fn<() => void>(),
    done: vi.fn<(answer: ChatResponse) => void>(),
  } satisfies RealtimeListener;
}

describe("Realtime", () => {
  it("passes the server's stream events on", () => {
    const socket = new FakeSocket();
    const events = listener();
    new Realtime(socket, events);
    const done = response("m1", "回答");
    socket.fire("chat:start", { sessionId: SESSION });
    socket.fire("chat:delta", { text: "予約" });
    socket.fire("chat:delta", { nonsense: true });
    socket.fire("chat:reset", {});
    socket.fire("chat:done", done);
    socket.fire("chat:done", { broken: true });
    expect(events.start).toHaveBeenCalledOnce();
    expect(events.delta.mock.calls).toEqual([["予約"]]);
    expect(events.reset).toHaveBeenCalledOnce();
    expect(events.done.mock.calls).toEqual([[done]]);
  });

  it.each([
    ["a failed first connection means REST only", ["connect_error"], "fallback"],
    ["a lost connection is being re-established", ["connect", "disconnect"], "reconnecting"],
    [
      "a failed reconnection is still reconnecting",
      ["connect", "disconnect", "connect_error"],
      "reconnecting",
    ],
    ["a connection is live", ["connect_error", "connect"], "live"],
  ])("reports status: %s", (_name, sequence, expected) => {
    const socket = new FakeSocket();
    const events = listener();
    new Realtime(socket, events);
    for (const event of sequence) socket.fire(event, "transport close");
    expect(events.status).toHaveBeenLastCalledWith(expected);
  });

  it("asks for a resync on every (re)connection and reconnects after a server disconnect", () => {
    const socket = new FakeSocket();
    const events = listener();
    new Realtime(socket, events);
    socket.fire("connect");
    socket.fire("disconnect", "io server disconnect");
    socket.fire("connect");
    expect(events.connected).toHaveBeenCalledTimes(2);
    expect(socket.connect).toHaveBeenCalledOnce();
  });

  it("resolves a send with the acknowledged answer", async () => {
    const socket = new FakeSocket();
    const realtime = new Realtime(socket, listener());
    socket.fire("connect");
    socket.answer = () => response("m1", "回答");
    await expect(realtime.send({ message: "こんにちは" }, 1000)).resolves.toMatchObject({ messageId: "m1" });
    expect(socket.emitted[0]?.slice(0, 2)).toEqual(["chat:message", { message: "こんにちは" }]);
  });

  it("turns an error acknowledgement into an ApiError", async () => {
    const socket = new FakeSocket();
    const realtime = new Realtime(socket, listener());
    socket.fire("connect");
    socket.answer = () => ({ error: { code: "validation_error", message: "入力内容に誤りがあります" } });
    const failure = realtime.send({ message: "x" }, 1000);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      code: "validation_error",
      message: "入力内容に誤りがあります",
    });
  });

  it("times out when no acknowledgement comes", async () => {
    vi.useFakeTimers();
    try {
      const socket = new FakeSocket();
      const realtime = new Realtime(socket, listener());
      socket.fire("connect");
      const pending = realtime.resync(SESSION, 500);
      vi.advanceTimersByTime(501);
      await expect(pending).rejects.toMatchObject({ code: "timeout" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails at once while disconnected", async () => {
    const realtime = new Realtime(new FakeSocket(), listener());
    await expect(realtime.send({ message: "x" }, 1000)).rejects.toMatchObject({ code: "network_error" });
  });
});
