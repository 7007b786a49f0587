// Sends one message: over socket.io when it is connected, else (or if it fails midway) over REST.

import { ApiError, isSessionGone, NETWORK_ERROR, TIMEOUT_ERROR } from "../api/errors";
import type { ChatRequest, ChatResponse } from "../api/types";

export interface RestChat {
  postChat(body: ChatRequest): Promise<ChatResponse>;
}

export interface SocketChat {
  readonly connected: boolean;
  send(body: ChatRequest, timeoutMs: number): Promise<ChatResponse>;
}

export interface DeliverOptions {
  rest: RestChat;
  socket: SocketChat | null;
  ackTimeoutMs: number;
  /** Called when the server no longer knows the session; the message is then sent as a new conversation. */
  onSessionExpired?: () => void;
}

function isTransportFailure(error: unknown): boolean {
  return error instanceof ApiError && (error.code === TIMEOUT_ERROR || error.code === NETWORK_ERROR);
}

async function once(body: ChatRequest, options: DeliverOptions): Promise<ChatResponse> {
  if (options.socket?.connected) {
    try {
      return await options.socket.send(body, options.ackTimeoutMs);
    } catch (error) {
      if (!isTransportFailure(error)) throw error;
      // The same clientMessageId makes the REST retry return the stored answer if the first one got through.
    }
  }
  return options.rest.postChat(body);
}

export async function deliver(body: ChatRequest, options: DeliverOptions): Promise<ChatResponse> {
  try {
    return await once(body, options);
  } catch (error) {
    if (!isSessionGone(error) || !body.sessionId) throw error;
    options.onSessionExpired?.();
    const { sessionId: _expired, ...fresh } = body;
    return once(fresh, options);
  }
}
