// Wire types of the chat API (REST and socket.io bodies share them). Request bodies are aliases of the types
// generated from the OpenAPI document (generated.ts, `make api-types`); the replies stay narrower here.

import type { components } from "./generated";

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

/** `channel` is "widget" when the chat is framed in another site; recorded when the conversation starts. */
export type ChatRequest = components["schemas"]["ChatRequest"];

/** Where the conversation's hand-off to a human stands. */
export interface HandoffState {
  status: "waiting" | "active" | "resolved" | "abandoned" | "missed" | string;
  operator: string | null;
  position: number | null;
  estimatedWaitSeconds: number | null;
  open: boolean;
  operatorsOnline: boolean;
  hours: string;
  callbackOffered: boolean;
  callbackLeft: boolean;
}

export interface ChatResponse {
  sessionId: string;
  messageId: string;
  /** null while an operator holds the conversation (the bot stays silent). */
  reply: Reply | null;
  handoff?: HandoffState | null;
}

/** A message from the human side: an operator's reply or a notice (socket.io `chat:operator`). */
export interface OperatorEvent {
  id: string;
  role: "operator" | "system" | string;
  text: string;
  author: string | null;
  createdAt: string;
}

export type ContactRequest = components["schemas"]["ContactBody"];

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
  author?: string | null;
  createdAt: string;
  /** The customer's 👍/👎 on this answer, so a reload shows it again. */
  feedback?: Rating | null;
}

export interface HistoryResponse {
  sessionId: string;
  messages: HistoryMessage[];
  handoff?: HandoffState | null;
}

/** One problem of a refused request, with the field it is about (`fees.0.amountYen`). */
export interface FieldProblem {
  field: string | null;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; problems?: FieldProblem[] };
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null && "code" in error;
}

export function isChatResponse(value: unknown): value is ChatResponse {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Partial<ChatResponse>;
  return typeof body.sessionId === "string" && typeof body.messageId === "string" && "reply" in body;
}

export function isHandoffState(value: unknown): value is HandoffState {
  return typeof value === "object" && value !== null && typeof (value as HandoffState).status === "string";
}

export function isOperatorEvent(value: unknown): value is OperatorEvent {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Partial<OperatorEvent>;
  return typeof event.id === "string" && typeof event.text === "string" && typeof event.role === "string";
}
