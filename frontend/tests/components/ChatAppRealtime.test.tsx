import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ChatRequest, ChatResponse, HistoryResponse, Rating } from "../../src/api/types";
import type { RealtimeConnection, RealtimeListener } from "../../src/chat/realtime";
import { createSessionStore, SESSION_KEY } from "../../src/chat/session";
import type { ChatApi, ChatDeps } from "../../src/chat/useChat";
import { ChatApp } from "../../src/components/ChatApp";
import { RECONNECTING_TEXT } from "../../src/components/StatusBanner";
import { history, historyMessage, response, SESSION } from "../fixtures";

class UnusedRest implements ChatApi {
  restCalls = 0;
  async postChat(_body: ChatRequest): Promise<ChatResponse> {
    this.restCalls += 1;
    return response("rest", "RESTの回答");
  }
  async getHistory(): Promise<HistoryResponse> {
    return history();
  }
  async postFeedback(_id: string, _body: { rating: Rating }) {}
}

/** A live connection whose server side the test plays by hand. */
class FakeConnection implements RealtimeConnection {
  connected = true;
  listener: RealtimeListener | null = null;
  replies: Array<(answer: ChatResponse) => void> = [];
  resyncs: string[] = [];
  stored: HistoryResponse = history();

  send(_body: ChatRequest): Promise<ChatResponse> {
    return new Promise((resolve) => this.replies.push(resolve));
  }
  async resync(sessionId: string) {
    this.resyncs.push(sessionId);
    return this.stored;
  }
  close() {
    this.connected = false;
  }
  server(): RealtimeListener {
    if (!this.listener) throw new Error("not connected");
    return this.listener;
  }
}

function setup(connection: FakeConnection, rest = new UnusedRest()) {
  const deps: ChatDeps = {
    api: rest,
    sessions: createSessionStore(localStorage),
    connect: (listener) => {
      connection.listener = listener;
      return connection;
    },
    newId: () => "c1",
  };
  render(<ChatApp deps={deps} />);
  return { user: userEvent.setup(), rest };
}

describe("ChatApp over a live connection", () => {
  it("shows the typing indicator, then the answer as it streams, then the finished answer", async () => {
    const connection = new FakeConnection();
    const { user, rest } = setup(connection);
    await user.type(screen.getByLabelText("メッセージ"), "予約番号は？{Enter}");
    expect(screen.getByText("回答を作成しています")).toBeTruthy();
    expect(screen.getByRole("log").getAttribute("aria-busy")).toBe("true");

    act(() => {
      connection.server().start();
      connection.server().delta("予約番号は");
      connection.server().delta("15日間有効です。");
    });
    expect(screen.queryByText("回答を作成しています")).toBeNull();
    expect(screen.getByText("予約番号は15日間有効です。").closest("[data-streaming]")).toBeTruthy();

    act(() => connection.server().reset());
    expect(screen.queryByText("予約番号は15日間有効です。")).toBeNull();

    await act(async () => connection.replies[0]?.(response("m1", "予約番号の有効期限は15日間です。")));
    const answer = await screen.findByText("予約番号の有効期限は15日間です。");
    expect(answer.closest("[data-message-id='m1']")).toBeTruthy();
    expect(document.querySelector("[data-streaming]")).toBeNull();
    expect(screen.getByRole("log").getAttribute("aria-busy")).toBe("false");
    expect(rest.restCalls).toBe(0);
  });

  it("resyncs the history on every reconnection and tells the customer while it is away", async () => {
    localStorage.setItem(SESSION_KEY, SESSION);
    const connection = new FakeConnection();
    setup(connection);
    connection.stored = history(
      historyMessage("u1", "user", "質問"),
      historyMessage("a1", "assistant", "別のタブの回答"),
    );

    act(() => connection.server().status("reconnecting"));
    expect(screen.getByText(RECONNECTING_TEXT)).toBeTruthy();

    await act(async () => {
      connection.server().status("live");
      connection.server().connected();
    });

    expect(screen.queryByText(RECONNECTING_TEXT)).toBeNull();
    expect(await within(screen.getByRole("log")).findByText("別のタブの回答")).toBeTruthy();
    expect(connection.resyncs).toEqual([SESSION]);
  });

  it("picks up an answer given in another tab of the same session", async () => {
    localStorage.setItem(SESSION_KEY, SESSION);
    const connection = new FakeConnection();
    setup(connection);
    connection.stored = history(historyMessage("a9", "assistant", "他のタブで聞いた答え"));

    await act(async () => connection.server().done(response("a9", "他のタブで聞いた答え")));

    await waitFor(() => expect(screen.getByText("他のタブで聞いた答え")).toBeTruthy());
  });
});
