import { describe, expect, it, vi } from "vitest";
import {
  ApiError,
  NETWORK_ERROR,
  SESSION_EXPIRED,
  SESSION_NOT_FOUND,
  TIMEOUT_ERROR,
} from "../../src/api/errors";
import type { ChatRequest } from "../../src/api/types";
import { deliver } from "../../src/chat/deliver";
import { response, SESSION } from "../fixtures";

const body: ChatRequest = { message: "手数料は？", sessionId: SESSION, clientMessageId: "c1" };

function transports(socketResult: () => Promise<ReturnType<typeof response>>, connected = true) {
  const rest = { postChat: vi.fn(async (_body: ChatRequest) => response("rest", "RESTの回答")) };
  const socket = { connected, send: vi.fn((_body: ChatRequest, _timeout: number) => socketResult()) };
  return { rest, socket };
}

describe("deliver", () => {
  it("uses the socket when it is connected", async () => {
    const { rest, socket } = transports(async () => response("sock", "ソケットの回答"));
    const answer = await deliver(body, { rest, socket, ackTimeoutMs: 100 });
    expect(answer.messageId).toBe("sock");
    expect(rest.postChat).not.toHaveBeenCalled();
  });

  it("uses REST when the socket is not connected", async () => {
    const { rest, socket } = transports(async () => response("sock", "x"), false);
    expect((await deliver(body, { rest, socket, ackTimeoutMs: 100 })).messageId).toBe("rest");
    expect(socket.send).not.toHaveBeenCalled();
  });

  it.each([TIMEOUT_ERROR, NETWORK_ERROR])(
    "retries over REST with the same clientMessageId after %s",
    async (code) => {
      const { rest, socket } = transports(() => Promise.reject(new ApiError(code, "")));
      expect((await deliver(body, { rest, socket, ackTimeoutMs: 100 })).messageId).toBe("rest");
      expect(rest.postChat).toHaveBeenCalledWith(body);
    },
  );

  it("does not retry a message the server rejected", async () => {
    const { rest, socket } = transports(() => Promise.reject(new ApiError("validation_error", "長すぎます")));
    await expect(deliver(body, { rest, socket, ackTimeoutMs: 100 })).rejects.toMatchObject({
      code: "validation_error",
    });
    expect(rest.postChat).not.toHaveBeenCalled();
  });

  it("item 7: starts a new conversation when the session has expired from idleness", async () => {
    const rest = {
      postChat: vi.fn(async (sent: ChatRequest) => {
        if (sent.sessionId) throw new ApiError(SESSION_EXPIRED, "", 404);
        return response("fresh", "新しい会話");
      }),
    };
    const onSessionExpired = vi.fn();
    const answer = await deliver(body, { rest, socket: null, ackTimeoutMs: 100, onSessionExpired });
    expect(answer.messageId).toBe("fresh");
    expect(onSessionExpired).toHaveBeenCalledOnce();
  });

  it("starts a new conversation when the server no longer knows the session", async () => {
    const rest = {
      postChat: vi.fn(async (sent: ChatRequest) => {
        if (sent.sessionId) throw new ApiError(SESSION_NOT_FOUND, "", 404);
        return response("fresh", "新しい会話");
      }),
    };
    const onSessionExpired = vi.fn();
    const answer = await deliver(body, { rest, socket: null, ackTimeoutMs: 100, onSessionExpired });
    expect(answer.messageId).toBe("fresh");
    expect(onSessionExpired).toHaveBeenCalledOnce();
    expect(rest.postChat).toHaveBeenLastCalledWith({ message: "手数料は？", clientMessageId: "c1" });
  });
});
