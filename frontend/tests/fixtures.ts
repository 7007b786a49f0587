import type { ChatResponse, HistoryMessage, HistoryResponse, Source } from "../src/api/types";

export const SESSION = "s".repeat(43);

export const SOURCE: Source = {
  faqId: "faq-1",
  question: "MNP予約番号の有効期限は何日ですか？",
  url: "https://www.soumu.go.jp/",
  asOf: "2026-11-29",
  verified: true,
};

export function response(messageId: string, text: string, overrides: Partial<ChatResponse["reply"]> = {}) {
  return {
    sessionId: SESSION,
    messageId,
    reply: {
      text,
      sources: [],
      confidence: 0.9,
      quickReplies: [],
      handoff: false,
      mode: "faq",
      ...overrides,
    },
  } satisfies ChatResponse;
}

export function historyMessage(id: string, role: "user" | "assistant", text: string): HistoryMessage {
  return {
    id,
    role,
    text,
    mode: role === "assistant" ? "faq" : null,
    sources: [],
    quickReplies: role === "assistant" ? ["乗り換えナビ"] : [],
    confidence: role === "assistant" ? 0.8 : null,
    handoff: false,
    createdAt: "2026-11-29T10:00:00Z",
  };
}

export function history(...messages: HistoryMessage[]): HistoryResponse {
  return { sessionId: SESSION, messages };
}
