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
