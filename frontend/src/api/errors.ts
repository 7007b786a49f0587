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

const FRIENDLY: Record<string, string> = {
  [NETWORK_ERROR]: "通信できませんでした。電波やWi-Fiの状態をご確認のうえ、もう一度お試しください。",
  [TIMEOUT_ERROR]: "応答に時間がかかっています。しばらくしてから、もう一度お試しください。",
  rate_limited: "ただいま混み合っています。少し時間をおいてから、もう一度お試しください。",
  internal_error: "申し訳ありません。システムで問題が起きました。時間をおいて、もう一度お試しください。",
};
const FALLBACK = "送信できませんでした。もう一度お試しください。";

export class ApiError extends Error {
  readonly code: string;
  readonly status: number | null;

  constructor(code: string, message: string, status: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

/** The text to show a customer for any thrown value. */
export function customerMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return FALLBACK;
  const friendly = FRIENDLY[error.code] ?? (error.status === 429 ? FRIENDLY.rate_limited : undefined);
  if (friendly) return friendly;
  if (error.status !== null && error.status >= 500) return FRIENDLY.internal_error ?? FALLBACK;
  return error.message || FALLBACK;
}
