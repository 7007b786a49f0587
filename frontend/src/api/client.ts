// REST client for the chat API: always available, and the fallback when socket.io cannot connect.

import { ApiError, NETWORK_ERROR, parseRetryAfter, TIMEOUT_ERROR } from "./errors";
import {
  type ChatRequest,
  type ChatResponse,
  type ContactRequest,
  type HandoffState,
  type HistoryResponse,
  isErrorBody,
  type Rating,
} from "./types";

export type Fetch = typeof fetch;

export const SESSION_TOKEN_HEADER = "X-Session-Token";

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: Fetch;
  timeoutMs?: number;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: Fetch;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  postChat(body: ChatRequest): Promise<ChatResponse> {
    return this.request<ChatResponse>("POST", "/api/chat", body);
  }

  /** The session token goes in a header, never in the URL (proxies and CDNs log URLs). */
  getHistory(sessionId: string): Promise<HistoryResponse> {
    return this.request<HistoryResponse>("GET", "/api/session/messages", undefined, {
      [SESSION_TOKEN_HEADER]: sessionId,
    });
  }

  async postFeedback(messageId: string, body: { rating: Rating; sessionId: string; comment?: string }) {
    await this.request<unknown>("POST", `/api/messages/${encodeURIComponent(messageId)}/feedback`, body);
  }

  cancelHandoff(sessionId: string): Promise<HandoffState | null> {
    return this.request<HandoffState | null>("POST", "/api/handoff/cancel", { sessionId });
  }

  leaveContact(body: ContactRequest): Promise<HandoffState> {
    return this.request<HandoffState>("POST", "/api/handoff/contact", body);
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(method, path, body, headers);
    const payload: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      if (isErrorBody(payload)) {
        throw new ApiError(payload.error.code, payload.error.message, response.status, retryAfter);
      }
      throw new ApiError(`http_${response.status}`, "", response.status, retryAfter);
    }
    return payload as T;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string>,
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      return await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: {
          ...(body === undefined ? { accept: "application/json" } : { "content-type": "application/json" }),
          ...extra,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      const aborted = error instanceof DOMException && error.name === "AbortError";
      throw new ApiError(aborted ? TIMEOUT_ERROR : NETWORK_ERROR, "", null);
    } finally {
      clearTimeout(timer);
    }
  }
}
