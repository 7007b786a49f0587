// The chat's state and every change to it, as a pure reducer.

import type {
  ChatResponse,
  HandoffState,
  HistoryMessage,
  HistoryResponse,
  OperatorEvent,
  Rating,
  Source,
} from "../api/types";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "fallback";

export interface UserMessage {
  kind: "user";
  key: string;
  text: string;
  status: "sending" | "sent" | "failed";
  error?: string;
}

export interface AssistantMessage {
  kind: "assistant";
  key: string;
  id: string;
  text: string;
  mode: string | null;
  sources: Source[];
  quickReplies: string[];
  handoff: boolean;
  rateable: boolean;
}

/** What the human side said: an operator's message, or a notice such as 「オペレーターの…がご対応します」. */
export interface HumanMessage {
  kind: "operator" | "notice";
  key: string;
  id: string;
  text: string;
  author: string | null;
}

export type ChatMessage = UserMessage | AssistantMessage | HumanMessage;

export interface ChatState {
  sessionId: string | null;
  messages: ChatMessage[];
  /** clientMessageId of the message waiting for its answer. */
  pending: string | null;
  /** The answer streamed so far; null when nothing streams. */
  streamText: string | null;
  feedback: Record<string, Rating>;
  connection: ConnectionStatus;
  online: boolean;
  restoring: boolean;
  notice: string | null;
  /** The hand-off to a human, when the conversation asked for one. */
  handoff: HandoffState | null;
  /** The operator now typing, by display name. */
  operatorTyping: string | null;
}

export type ChatAction =
  | { type: "restoreStarted" }
  | { type: "historyLoaded"; history: HistoryResponse }
  | { type: "restoreFailed" }
  | { type: "sessionExpired" }
  | { type: "sendStarted"; clientMessageId: string; text: string }
  | { type: "streamStarted" }
  | { type: "streamDelta"; text: string }
  | { type: "streamReset" }
  | { type: "replyReceived"; clientMessageId: string; response: ChatResponse }
  | { type: "sendFailed"; clientMessageId: string; error: string }
  | { type: "feedbackGiven"; messageId: string; rating: Rating }
  | { type: "connectionChanged"; status: ConnectionStatus }
  | { type: "onlineChanged"; online: boolean }
  | { type: "noticeDismissed" }
  | { type: "handoffChanged"; handoff: HandoffState | null }
  | { type: "operatorMessage"; message: OperatorEvent }
  | { type: "operatorTyping"; author: string | null };

export const RESTORE_FAILED_NOTICE = "前回の会話を読み込めませんでした。通信状況をご確認ください。";
export const SESSION_EXPIRED_NOTICE =
  "以前の会話は有効期限が切れたため表示できません。新しい会話として続けます。";

export function initialState(sessionId: string | null, online = true): ChatState {
  return {
    sessionId,
    messages: [],
    pending: null,
    streamText: null,
    feedback: {},
    connection: "connecting",
    online,
    restoring: sessionId !== null,
    notice: null,
    handoff: null,
    operatorTyping: null,
  };
}

/** Replies from a server that does not send `rateable`: answers are the FAQ and LLM modes. */
export function isAnswerMode(mode: string | null): boolean {
  return mode === "faq" || mode === "llm";
}

function fromHuman(message: {
  id: string;
  role: string;
  text: string;
  author?: string | null;
}): HumanMessage {
  const kind = message.role === "operator" ? "operator" : "notice";
  return { kind, key: message.id, id: message.id, text: message.text, author: message.author ?? null };
}

export function fromHistory(message: HistoryMessage): ChatMessage {
  if (message.role === "operator" || message.role === "system") return fromHuman(message);
  if (message.role !== "assistant") {
    return { kind: "user", key: message.id, text: message.text, status: "sent" };
  }
  return {
    kind: "assistant",
    key: message.id,
    id: message.id,
    text: message.text,
    mode: message.mode,
    sources: message.sources ?? [],
    quickReplies: message.quickReplies ?? [],
    handoff: message.handoff,
    rateable: message.rateable ?? isAnswerMode(message.mode),
  };
}

function fromResponse(response: ChatResponse): AssistantMessage | null {
  const { reply } = response;
  if (!reply) return null;
  return {
    kind: "assistant",
    key: response.messageId,
    id: response.messageId,
    text: reply.text,
    mode: reply.mode ?? null,
    sources: reply.sources ?? [],
    quickReplies: reply.quickReplies ?? [],
    handoff: reply.handoff,
    rateable: reply.rateable ?? isAnswerMode(reply.mode ?? null),
  };
}

function withUserStatus(messages: ChatMessage[], key: string, patch: Partial<UserMessage>): ChatMessage[] {
  return messages.map((message) =>
    message.kind === "user" && message.key === key ? { ...message, ...patch } : message,
  );
}

function unsent(messages: ChatMessage[]): ChatMessage[] {
  return messages.filter((message) => message.kind === "user" && message.status !== "sent");
}

function startSend(state: ChatState, clientMessageId: string, text: string): ChatState {
  const exists = state.messages.some((m) => m.kind === "user" && m.key === clientMessageId);
  const messages = exists
    ? withUserStatus(state.messages, clientMessageId, { status: "sending", error: undefined })
    : [...state.messages, { kind: "user" as const, key: clientMessageId, text, status: "sending" as const }];
  return { ...state, messages, pending: clientMessageId, streamText: null, notice: null };
}

function receive(state: ChatState, clientMessageId: string, response: ChatResponse): ChatState {
  const sent = withUserStatus(state.messages, clientMessageId, { status: "sent", error: undefined });
  const known = sent.some((m) => m.kind === "assistant" && m.id === response.messageId);
  const answer = fromResponse(response);
  const done = state.pending === clientMessageId;
  return {
    ...state,
    sessionId: response.sessionId,
    messages: known || !answer ? sent : [...sent, answer],
    pending: done ? null : state.pending,
    streamText: done ? null : state.streamText,
    handoff: response.handoff !== undefined ? response.handoff : state.handoff,
  };
}

function fail(state: ChatState, clientMessageId: string, error: string): ChatState {
  const done = state.pending === clientMessageId;
  return {
    ...state,
    messages: withUserStatus(state.messages, clientMessageId, { status: "failed", error }),
    pending: done ? null : state.pending,
    streamText: done ? null : state.streamText,
  };
}

function ratingsOf(history: HistoryResponse): Record<string, Rating> {
  const rated = history.messages.filter((message) => message.feedback);
  return Object.fromEntries(rated.map((message) => [message.id, message.feedback as Rating]));
}

function loadHistory(state: ChatState, history: HistoryResponse): ChatState {
  return {
    ...state,
    sessionId: history.sessionId,
    messages: [...history.messages.map(fromHistory), ...unsent(state.messages)],
    feedback: { ...state.feedback, ...ratingsOf(history) },
    restoring: false,
    notice: state.notice === RESTORE_FAILED_NOTICE ? null : state.notice,
    handoff: history.handoff ?? null,
  };
}

function addHuman(state: ChatState, message: OperatorEvent): ChatState {
  if (state.messages.some((m) => m.key === message.id)) return state;
  return { ...state, messages: [...state.messages, fromHuman(message)], operatorTyping: null };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "restoreStarted":
      return { ...state, restoring: true };
    case "historyLoaded":
      return loadHistory(state, action.history);
    case "restoreFailed":
      return {
        ...state,
        restoring: false,
        notice: state.messages.length ? state.notice : RESTORE_FAILED_NOTICE,
      };
    case "sessionExpired":
      return { ...state, sessionId: null, restoring: false, notice: SESSION_EXPIRED_NOTICE };
    case "sendStarted":
      return startSend(state, action.clientMessageId, action.text);
    case "streamStarted":
      return state.pending
        ? {
            ...state,
            streamText: "",
            messages: withUserStatus(state.messages, state.pending, { status: "sent" }),
          }
        : state;
    case "streamReset":
      return state.pending ? { ...state, streamText: "" } : state;
    case "streamDelta":
      return state.pending ? { ...state, streamText: (state.streamText ?? "") + action.text } : state;
    case "replyReceived":
      return receive(state, action.clientMessageId, action.response);
    case "sendFailed":
      return fail(state, action.clientMessageId, action.error);
    case "feedbackGiven":
      return { ...state, feedback: { ...state.feedback, [action.messageId]: action.rating } };
    case "connectionChanged":
      return { ...state, connection: action.status };
    case "onlineChanged":
      return { ...state, online: action.online };
    case "noticeDismissed":
      return { ...state, notice: null };
    case "handoffChanged":
      return { ...state, handoff: action.handoff, operatorTyping: null };
    case "operatorMessage":
      return addHuman(state, action.message);
    case "operatorTyping":
      return { ...state, operatorTyping: action.author };
  }
}

/** Whether the conversation waits for, or is with, a human. */
export function withHuman(state: ChatState): boolean {
  return state.handoff?.status === "waiting" || state.handoff?.status === "active";
}

/** The quick replies to offer now: those of the last answer, while nothing is being sent. */
export function currentQuickReplies(state: ChatState): string[] {
  if (state.pending || state.handoff?.status === "active") return [];
  const last = state.messages[state.messages.length - 1];
  return last?.kind === "assistant" ? last.quickReplies : [];
}
