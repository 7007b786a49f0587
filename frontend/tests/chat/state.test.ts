import { describe, expect, it } from "vitest";
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  currentQuickReplies,
  initialState,
  RESTORE_FAILED_NOTICE,
  SESSION_EXPIRED_NOTICE,
} from "../../src/chat/state";
import { history, historyMessage, response, SESSION } from "../fixtures";

function run(state: ChatState, ...actions: ChatAction[]): ChatState {
  return actions.reduce(chatReducer, state);
}

const asked: ChatAction = { type: "sendStarted", clientMessageId: "c1", text: "予約番号とは？" };

describe("chatReducer", () => {
  it("shows the question at once and the answer when it arrives", () => {
    const sending = run(initialState(null), asked);
    expect(sending.pending).toBe("c1");
    expect(sending.messages).toEqual([
      { kind: "user", key: "c1", text: "予約番号とは？", status: "sending" },
    ]);

    const answered = run(sending, {
      type: "replyReceived",
      clientMessageId: "c1",
      response: response("m1", "回答"),
    });
    expect(answered.pending).toBeNull();
    expect(answered.sessionId).toBe(SESSION);
    expect(answered.messages.map((m) => [m.kind, m.text])).toEqual([
      ["user", "予約番号とは？"],
      ["assistant", "回答"],
    ]);
    expect(answered.messages[0]).toMatchObject({ status: "sent" });
  });

  it("adds an answer delivered twice (ack and room event) only once", () => {
    const reply = response("m1", "回答");
    const state = run(
      initialState(null),
      asked,
      { type: "replyReceived", clientMessageId: "c1", response: reply },
      { type: "replyReceived", clientMessageId: "c1", response: reply },
    );
    expect(state.messages.filter((m) => m.kind === "assistant")).toHaveLength(1);
  });

  it("accumulates streamed text, discards it on reset, and ignores stream events nobody waits for", () => {
    const idle = run(
      initialState(null),
      { type: "streamStarted" },
      { type: "streamDelta", text: "他のタブ" },
    );
    expect(idle.streamText).toBeNull();

    const streaming = run(
      initialState(null),
      asked,
      { type: "streamStarted" },
      { type: "streamDelta", text: "予約番号は" },
      { type: "streamDelta", text: "15日間" },
    );
    expect(streaming.streamText).toBe("予約番号は15日間");
    expect(streaming.messages[0]).toMatchObject({ status: "sent" });
    expect(run(streaming, { type: "streamReset" }).streamText).toBe("");
  });

  it("marks a failed message and retries it under the same key", () => {
    const failed = run(initialState(null), asked, {
      type: "sendFailed",
      clientMessageId: "c1",
      error: "通信エラー",
    });
    expect(failed.pending).toBeNull();
    expect(failed.messages[0]).toMatchObject({ status: "failed", error: "通信エラー" });

    const retried = run(failed, asked);
    expect(retried.messages).toHaveLength(1);
    expect(retried.messages[0]).toMatchObject({ status: "sending", error: undefined });
  });

  it("replaces the conversation with the server's history but keeps messages not yet sent", () => {
    const state = run(
      initialState(SESSION),
      { type: "sendStarted", clientMessageId: "c9", text: "未送信" },
      { type: "sendFailed", clientMessageId: "c9", error: "x" },
      {
        type: "historyLoaded",
        history: history(
          historyMessage("u1", "user", "こんにちは"),
          historyMessage("a1", "assistant", "はい"),
        ),
      },
    );
    expect(state.restoring).toBe(false);
    expect(state.messages.map((m) => m.text)).toEqual(["こんにちは", "はい", "未送信"]);
  });

  it("forgets an expired session and says so", () => {
    const state = run(initialState(SESSION), { type: "sessionExpired" });
    expect(state.sessionId).toBeNull();
    expect(state.notice).toBe(SESSION_EXPIRED_NOTICE);
    expect(run(state, { type: "noticeDismissed" }).notice).toBeNull();
  });

  it("keeps feedback across history reloads", () => {
    const state = run(
      initialState(SESSION),
      { type: "feedbackGiven", messageId: "a1", rating: "down" },
      { type: "historyLoaded", history: history(historyMessage("a1", "assistant", "はい")) },
    );
    expect(state.feedback).toEqual({ a1: "down" });
  });
});

describe("currentQuickReplies", () => {
  const answered = run(initialState(null), asked, {
    type: "replyReceived",
    clientMessageId: "c1",
    response: response("m1", "回答", { quickReplies: ["次へ", "やめる"] }),
  });

  it("offers the last answer's quick replies", () => {
    expect(currentQuickReplies(answered)).toEqual(["次へ", "やめる"]);
  });

  it("offers none while a message is being sent", () => {
    expect(currentQuickReplies(run(answered, { ...asked, clientMessageId: "c2" }))).toEqual([]);
  });
});

describe("restore notices", () => {
  it("says when the previous conversation could not be loaded, and clears that once it is", () => {
    const failed = run(initialState(SESSION), { type: "restoreFailed" });
    expect(failed.notice).toBe(RESTORE_FAILED_NOTICE);
    const loaded = run(failed, {
      type: "historyLoaded",
      history: history(historyMessage("a1", "assistant", "はい")),
    });
    expect(loaded.notice).toBeNull();
  });
});

describe("chatReducer with a human operator", () => {
  const active = {
    status: "active",
    operator: "佐藤",
    position: null,
    estimatedWaitSeconds: null,
    open: true,
    operatorsOnline: true,
    hours: "",
    callbackOffered: false,
    callbackLeft: false,
  };

  it("a message the operator holds gets no bot answer, and the operator's reply is shown once", () => {
    const held = { sessionId: SESSION, messageId: "u1", reply: null, handoff: active };
    const sent = run(initialState(SESSION), asked, {
      type: "replyReceived",
      clientMessageId: "c1",
      response: held,
    });
    expect(sent.pending).toBeNull();
    expect(sent.messages).toEqual([
      { kind: "user", key: "c1", text: "予約番号とは？", status: "sent", error: undefined },
    ]);
    expect(sent.handoff?.operator).toBe("佐藤");

    const event = {
      id: "o1",
      role: "operator",
      text: "担当の佐藤です。",
      author: "佐藤",
      createdAt: "2026-12-03T10:00:00Z",
    };
    const replied = run(
      sent,
      { type: "operatorTyping", author: "佐藤" },
      { type: "operatorMessage", message: event },
      {
        type: "operatorMessage",
        message: event,
      },
    );
    expect(replied.messages.slice(1)).toEqual([
      { kind: "operator", key: "o1", id: "o1", text: "担当の佐藤です。", author: "佐藤" },
    ]);
    expect(replied.operatorTyping).toBeNull();
    expect(currentQuickReplies(replied)).toEqual([]);
  });

  it("restores operator messages, notices and the hand-off from history", () => {
    const restored = run(initialState(SESSION), {
      type: "historyLoaded",
      history: {
        sessionId: SESSION,
        messages: [
          {
            ...historyMessage("n1", "assistant", "x"),
            role: "system",
            text: "オペレーターの佐藤がご対応します。",
          },
          { ...historyMessage("o1", "assistant", "x"), role: "operator", text: "こんにちは", author: "佐藤" },
        ],
        handoff: active,
      },
    });
    expect(restored.messages.map((m) => m.kind)).toEqual(["notice", "operator"]);
    expect(restored.handoff?.status).toBe("active");
  });
});
