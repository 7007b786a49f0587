// The console's API client: bearer token on every call, one shared refresh when the access token expires,
// signed out (and told) when the refresh token is refused.

import { ApiError, NETWORK_ERROR, TIMEOUT_ERROR } from "../../api/errors";
import { isErrorBody } from "../../api/types";
import type { TokenStore } from "./tokens";
import type { TokenPair, User } from "./types";

export type Fetch = typeof fetch;
export type Query = Record<string, string | number | boolean | null | undefined>;

export interface AdminHttpOptions {
  tokens: TokenStore;
  fetch?: Fetch;
  baseUrl?: string;
  timeoutMs?: number;
}

interface Call {
  method: string;
  path: string;
  query?: Query;
  json?: unknown;
  raw?: { body: string | Blob; contentType: string };
}

export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The console's idle timeout until the server names its own (CONSOLE_IDLE_TIMEOUT_SECONDS). */
export const DEFAULT_IDLE_SECONDS = 15 * 60;

export class AdminHttp {
  private readonly tokens: TokenStore;
  private readonly fetchImpl: Fetch;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private refreshing: Promise<boolean> | null = null;
  private idleSeconds = DEFAULT_IDLE_SECONDS;
  private readonly signedOutListeners = new Set<() => void>();

  constructor(options: AdminHttpOptions) {
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.baseUrl = options.baseUrl ?? "";
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** How long the console may sit unused before it signs out, in milliseconds. */
  get idleTimeoutMs(): number {
    return this.idleSeconds * 1000;
  }

  /** Called when the session ends on its own (refresh refused), not on an explicit logout. */
  onSignedOut(listener: () => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  async login(email: string, password: string): Promise<User> {
    const pair = await this.parse<TokenPair>(
      await this.send({ method: "POST", path: "/api/auth/login", json: { email, password } }, null),
    );
    this.remember(pair);
    return pair.user;
  }

  /** Signs in again from the kept refresh token (after a reload); null when there is none or it is refused. */
  async resume(): Promise<User | null> {
    if (!this.tokens.refreshToken) return null;
    if (!(await this.refresh())) return null;
    return this.json<User>({ method: "GET", path: "/api/auth/me" });
  }

  /** Ends the sign-in on the server: the refresh token goes along, so this works after the access token
   * has expired (an idle console), and the refresh token is then refused by the server. */
  async logout(): Promise<void> {
    const refreshToken = this.tokens.refreshToken;
    try {
      if (this.tokens.accessToken || refreshToken) {
        const json = refreshToken ? { refreshToken } : undefined;
        await this.send({ method: "POST", path: "/api/auth/logout", json });
      }
    } finally {
      this.tokens.clear();
    }
  }

  /** The access token held now, without a request (the live link's heartbeat hands it to the server). */
  heldAccessToken(): string | null {
    return this.tokens.accessToken;
  }

  /** A current access token (refreshed first when needed), for the console's socket.io sign-in. */
  async accessToken(): Promise<string | null> {
    await this.json({ method: "GET", path: "/api/auth/me" }).catch(() => undefined);
    return this.tokens.accessToken;
  }

  json<T>(call: Call): Promise<T> {
    return this.authorised(call).then((response) => this.parse<T>(response));
  }

  async blob(call: Call): Promise<Blob> {
    const response = await this.authorised(call);
    if (!response.ok) await this.parse<never>(response);
    return response.blob();
  }

  private async authorised(call: Call): Promise<Response> {
    const first = await this.send(call);
    if (first.status !== 401 || !this.tokens.refreshToken) return first;
    if (!(await this.refresh())) return first;
    return this.send(call);
  }

  /** One refresh at a time: the server rotates refresh tokens and treats a reused one as theft. */
  private refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.tokens.refreshToken;
    if (!refreshToken) return false;
    let response: Response;
    try {
      response = await this.send({ method: "POST", path: "/api/auth/refresh", json: { refreshToken } }, null);
    } catch {
      return false; // offline: keep the refresh token for the next try
    }
    if (!response.ok) {
      this.tokens.clear();
      for (const listener of this.signedOutListeners) listener();
      return false;
    }
    this.remember((await response.json()) as TokenPair);
    return true;
  }

  private remember(pair: TokenPair): void {
    this.tokens.save(pair.accessToken, pair.refreshToken);
    if (typeof pair.idleTimeoutSeconds === "number" && pair.idleTimeoutSeconds > 0) {
      this.idleSeconds = pair.idleTimeoutSeconds;
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const payload: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      if (isErrorBody(payload))
        throw new ApiError(
          payload.error.code,
          payload.error.message,
          response.status,
          null,
          Array.isArray(payload.error.problems) ? payload.error.problems : [],
        );
      throw new ApiError(`http_${response.status}`, "", response.status);
    }
    return payload as T;
  }

  private async send(call: Call, bearer: string | null = this.tokens.accessToken): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let body: string | Blob | undefined;
    if (call.raw) {
      headers["content-type"] = call.raw.contentType;
      body = call.raw.body;
    } else if (call.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(call.json);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      return await this.fetchImpl(this.baseUrl + withQuery(call.path, call.query), {
        method: call.method,
        headers,
        body,
        signal: controller.signal,
        credentials: "same-origin",
      });
    } catch (error) {
      const aborted = error instanceof DOMException && error.name === "AbortError";
      throw new ApiError(aborted ? TIMEOUT_ERROR : NETWORK_ERROR, "", null);
    } finally {
      clearTimeout(timer);
    }
  }
}
