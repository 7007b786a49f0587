// socket.io transport: streamed answers and resync; every failure becomes an ApiError.

import { ApiError, NETWORK_ERROR, TIMEOUT_ERROR } from "../api/errors";
import {
  type ChatRequest,
  type ChatResponse,
  type ErrorBody,
  type HandoffState,
  type HistoryResponse,
  isChatResponse,
  isErrorBody,
  isHandoffState,
  isOperatorEvent,
  type OperatorEvent,
} from "../api/types";

/** An ack's error; a refusal by the rate limit carries `retryAfter` in seconds. */
function socketError(answer: ErrorBody & { retryAfter?: unknown }): ApiError {
  const wait = typeof answer.retryAfter === "number" && answer.retryAfter > 0 ? answer.retryAfter : null;
  return new ApiError(answer.error.code, answer.error.message, null, wait);
}

export type RealtimeStatus = "live" | "reconnecting" | "fallback";

export interface RealtimeListener {
  status(status: RealtimeStatus): void;
  connected(): void;
  start(): void;
  delta(text: string): void;
  reset(): void;
  done(response: ChatResponse): void;
  operator?(message: OperatorEvent): void;
  handoff?(state: HandoffState): void;
  typing?(author: string): void;
}

/** The part of a socket.io client socket this module uses (a fake in tests). */
export interface SocketLike {
  readonly connected: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/** What the chat needs from a live connection (the socket.io one below, or a fake in tests). */
export interface RealtimeConnection {
  readonly connected: boolean;
  send(body: ChatRequest, timeoutMs: number): Promise<ChatResponse>;
  resync(sessionId: string, timeoutMs: number): Promise<HistoryResponse>;
  /** Tells the operator that the customer is typing (best effort). */
  typing?(sessionId: string): void;
  close(): void;
}

export class Realtime implements RealtimeConnection {
  private everConnected = false;

  constructor(
    private readonly socket: SocketLike,
    private readonly listener: RealtimeListener,
  ) {
    this.bind();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  async send(body: ChatRequest, timeoutMs: number): Promise<ChatResponse> {
    const answer = await this.request("chat:message", body, timeoutMs);
    if (!isChatResponse(answer)) throw new ApiError("bad_response", "");
    return answer;
  }

  async resync(sessionId: string, timeoutMs: number): Promise<HistoryResponse> {
    const answer = await this.request("chat:resync", { sessionId }, timeoutMs);
    return answer as HistoryResponse;
  }

  typing(sessionId: string): void {
    if (this.socket.connected) this.socket.emit("chat:typing", { sessionId });
  }

  close(): void {
    this.socket.disconnect();
  }

  private request(event: string, body: unknown, timeoutMs: number): Promise<unknown> {
    if (!this.socket.connected) return Promise.reject(new ApiError(NETWORK_ERROR, ""));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ApiError(TIMEOUT_ERROR, "")), timeoutMs);
      this.socket.emit(event, body, (answer: unknown) => {
        clearTimeout(timer);
        if (isErrorBody(answer)) reject(socketError(answer));
        else resolve(answer);
      });
    });
  }

  private bind(): void {
    const { socket, listener } = this;
    socket.on("connect", () => {
      this.everConnected = true;
      listener.status("live");
      listener.connected();
    });
    socket.on("connect_error", () => listener.status(this.everConnected ? "reconnecting" : "fallback"));
    socket.on("disconnect", (reason: string) => {
      if (reason === "io client disconnect") return;
      listener.status("reconnecting");
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("chat:start", () => listener.start());
    socket.on("chat:delta", (event: { text?: unknown }) => {
      if (typeof event?.text === "string") listener.delta(event.text);
    });
    socket.on("chat:reset", () => listener.reset());
    socket.on("chat:done", (event: unknown) => {
      if (isChatResponse(event)) listener.done(event);
    });
    socket.on("chat:operator", (event: unknown) => {
      if (isOperatorEvent(event)) listener.operator?.(event);
    });
    socket.on("chat:handoff", (event: unknown) => {
      if (isHandoffState(event)) listener.handoff?.(event);
    });
    socket.on("chat:typing", (event: { author?: unknown }) => {
      if (typeof event?.author === "string") listener.typing?.(event.author);
    });
  }
}
