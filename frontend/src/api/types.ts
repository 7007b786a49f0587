// Wire types of the chat API (REST and socket.io bodies share them).

export type Rating = "up" | "down";

export interface Source {
  faqId: string;
  question: string;
  url?: string | null;
  asOf?: string | null;
  verified?: boolean;
}

export interface Reply {
  text: string;
  sources: Source[];
  confidence: number;
  quickReplies: string[];
  handoff: boolean;
  mode?: string;
  /** Whether the reply answers something the customer can rate; the navigator's questions are not rated. */
  rateable?: boolean;
}

export interface ChatRequest {
  message: string;
  sessionId?: string;
  clientMessageId?: string;
}

export interface ChatResponse {
  sessionId: string;
  messageId: string;
  reply: Reply;
}

export interface HistoryMessage {
  id: string;
  role: "user" | "assistant" | string;
  text: string;
  mode: string | null;
  sources: Source[];
  quickReplies: string[];
  confidence: number | null;
  handoff: boolean;
  rateable?: boolean;
  createdAt: string;
}

export interface HistoryResponse {
  sessionId: string;
  messages: HistoryMessage[];
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null && "code" in error;
}

export function isChatResponse(value: unknown): value is ChatResponse {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Partial<ChatResponse>;
  return typeof body.sessionId === "string" && typeof body.messageId === "string" && !!body.reply;
}
