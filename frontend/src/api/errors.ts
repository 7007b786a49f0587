import type { FieldProblem } from "./types";

// One error type for every failure the chat can meet, with a message a customer can read.

export const NETWORK_ERROR = "network_error";
export const TIMEOUT_ERROR = "timeout";
export const SESSION_NOT_FOUND = "session_not_found";
/** The session sat idle past the server's limit (SESSION_IDLE_TIMEOUT_HOURS); a new conversation starts. */
export const SESSION_EXPIRED = "session_expired";

/** The server no longer opens this session (unknown, deleted or idle too long). */
export function isSessionGone(error: unknown): boolean {
  return error instanceof ApiError && (error.code === SESSION_NOT_FOUND || error.code === SESSION_EXPIRED);
}

const OFFLINE_ERROR = "通信できませんでした。電波やWi-Fiの状態をご確認のうえ、もう一度お試しください。";
/** The browser is online but the server did not answer: not the customer's network (the banner says so too). */
export const SERVER_UNREACHABLE =
  "サーバーにつながりませんでした。しばらくしてから「再送する」を押してください。";
const FRIENDLY: Record<string, string> = {
  [TIMEOUT_ERROR]: "応答に時間がかかっています。しばらくしてから、もう一度お試しください。",
  rate_limited: "ただいま混み合っています。少し時間をおいてから、もう一度お試しください。",
  internal_error: "申し訳ありません。システムで問題が起きました。時間をおいて、もう一度お試しください。",
};
const FALLBACK = "送信できませんでした。もう一度お試しください。";

export class ApiError extends Error {
  readonly code: string;
  readonly status: number | null;
  /** Seconds to wait before trying again (Retry-After), when the server said. */
  readonly retryAfter: number | null;

  /** The field-by-field problems of a 422, when the server listed them. */
  readonly problems: FieldProblem[];

  constructor(
    code: string,
    message: string,
    status: number | null = null,
    retryAfter: number | null = null,
    problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
    this.problems = problems;
  }
}

/** Seconds from a Retry-After value (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds > 0 ? Math.ceil(seconds) : null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(1, Math.ceil((at - now) / 1000));
}

/** A wait in Japanese words: 「約30秒」, 「約3分」, 「約1時間」. */
export function waitWords(seconds: number): string {
  if (seconds < 60) return `約${Math.max(1, Math.ceil(seconds / 10) * 10)}秒`;
  if (seconds < 3600) return `約${Math.ceil(seconds / 60)}分`;
  return `約${Math.ceil(seconds / 3600)}時間`;
}

function rateLimited(retryAfter: number | null): string {
  if (retryAfter === null) return FRIENDLY.rate_limited ?? FALLBACK;
  return `ただいまご利用が集中しています。${waitWords(retryAfter)}たってから、もう一度お試しください。`;
}

function browserOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

/** The text to show a customer for any thrown value. */
export function customerMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return FALLBACK;
  if (error.code === "rate_limited" || error.status === 429) return rateLimited(error.retryAfter);
  if (error.code === NETWORK_ERROR) return browserOnline() ? SERVER_UNREACHABLE : OFFLINE_ERROR;
  const friendly = FRIENDLY[error.code] ?? (error.status === 429 ? FRIENDLY.rate_limited : undefined);
  if (friendly) return friendly;
  if (error.status !== null && error.status >= 500) return FRIENDLY.internal_error ?? FALLBACK;
  return error.message || FALLBACK;
}
