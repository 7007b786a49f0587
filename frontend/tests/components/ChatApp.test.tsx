import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/api/errors";
import type { ChatRequest, ChatResponse, HistoryResponse, Rating } from "../../src/api/types";
import { createSessionStore, SESSION_KEY } from "../../src/chat/session";
import type { ChatApi, ChatDeps } from "../../src/chat/useChat";
import { ChatApp } from "../../src/components/ChatApp";
import { OFFLINE_TEXT } from "../../src/components/StatusBanner";
import { history, historyMessage, response, SESSION, SOURCE } from "../fixtures";

type Answer = (body: ChatRequest) => ChatResponse;

class FakeApi implements ChatApi {
  sent: ChatRequest[] = [];
  feedback: Array<[string, Rating, string | undefined]> = [];
  failures = 0;
  answer: Answer = (body) => response(`m${this.sent.length}`, `「${body.message}」への回答です。`);
  stored: HistoryResponse | ApiError = history();

  async postChat(body: ChatRequest) {
    this.sent.push(body);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new ApiError("network_error", "");
    }
    return this.answer(body);
  }

  async getHistory() {
    if (this.stored instanceof ApiError) throw this.stored;
    return this.stored;
  }

  async postFeedback(messageId: string, body: { rating: Rating; comment?: string }) {
    this.feedback.push([messageId, body.rating, body.comment]);
  }
}

function setup(api = new FakeApi()) {
  let counter = 0;
  const deps: ChatDeps = {
    api,
    sessions: createSessionStore(localStorage),
    connect: null,
    newId: () => `c${++counter}`,
  };
  const user = userEvent.setup();
  render(<ChatApp deps={deps} />);
  return { api, user, log: screen.getByRole("log") };
}

describe("ChatApp", () => {
  it("sends the typed question and shows the answer with its source", async () => {
    const api = new FakeApi();
    api.answer = () => response("m1", "予約番号の有効期限は15日間です。", { sources: [SOURCE] });
    const { user, log } = setup(api);

    await user.type(screen.getByLabelText("メッセージ"), "予約番号の期限は？{Enter}");

    expect(await within(log).findByText("予約番号の有効期限は15日間です。")).toBeTruthy();
    expect(within(log).getByText("予約番号の期限は？")).toBeTruthy();
    expect(within(log).getByText(SOURCE.question)).toBeTruthy();
    expect(within(log).getByText("2026年11月29日時点")).toBeTruthy();
    expect(
      within(log)
        .getByRole("link", { name: /公式情報を見る/ })
        .getAttribute("href"),
    ).toBe(SOURCE.url);
    expect(api.sent).toEqual([{ message: "予約番号の期限は？", clientMessageId: "c1" }]);
    expect(localStorage.getItem(SESSION_KEY)).toBe(SESSION);
  });

  it("says the chat is the widget when the page is framed in another site", async () => {
    const api = new FakeApi();
    const deps: ChatDeps = {
      api,
      sessions: createSessionStore(localStorage),
      connect: null,
      newId: () => "w1",
      channel: "widget",
    };
    const user = userEvent.setup();
    render(<ChatApp deps={deps} embedded />);
    await user.type(screen.getByLabelText("メッセージ"), "手数料は？{Enter}");
    await waitFor(() =>
      expect(api.sent).toEqual([{ message: "手数料は？", clientMessageId: "w1", channel: "widget" }]),
    );
  });

  it("does not send while a Japanese IME is composing", async () => {
    const { api, user } = setup();
    const input = screen.getByLabelText("メッセージ");
    await user.type(input, "よやく");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, isComposing: true }));
    await user.type(input, "{Shift>}{Enter}{/Shift}");
    expect(api.sent).toEqual([]);
  });

  it("sends a quick reply and then offers the answer's own quick replies", async () => {
    const api = new FakeApi();
    api.answer = () =>
      response("m1", "今の会社はどちらですか？", { mode: "navigator", quickReplies: ["ドコモ", "au"] });
    const { user } = setup(api);

    await user.click(screen.getByRole("button", { name: "乗り換えナビ" }));

    expect(await screen.findByRole("button", { name: "ドコモ" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "乗り換えナビ" })).toBeNull();
    expect(api.sent[0]?.message).toBe("乗り換えナビ");
  });

  it("offers rating buttons on answers only, not on the navigator's questions", async () => {
    const api = new FakeApi();
    api.answer = () =>
      response("m1", "今の会社はどちらですか？", {
        mode: "navigator",
        rateable: false,
        quickReplies: ["au"],
      });
    const { user } = setup(api);

    await user.click(screen.getByRole("button", { name: "乗り換えナビ" }));

    expect(await screen.findByRole("button", { name: "au" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "役に立った" })).toBeNull();
  });

  it("records feedback and shows it as pressed", async () => {
    const { api, user } = setup();
    await user.click(screen.getByRole("button", { name: "手数料はいくら？" }));
    const up = await screen.findByRole("button", { name: "役に立った" });

    await user.click(up);

    await waitFor(() => expect(up.getAttribute("aria-pressed")).toBe("true"));
    expect(api.feedback).toEqual([["m1", "up", undefined]]);
    expect(screen.getByText("ご評価ありがとうございます。")).toBeTruthy();
  });

  it("asks for an optional comment after a thumbs down and sends it", async () => {
    const { api, user } = setup();
    await user.click(screen.getByRole("button", { name: "手数料はいくら？" }));
    await user.click(await screen.findByRole("button", { name: "役に立たなかった" }));

    await user.type(await screen.findByLabelText(/足りなかった点/), "auの場合を知りたい");
    await user.click(screen.getByRole("button", { name: "送信する" }));

    await waitFor(() => expect(api.feedback).toHaveLength(2));
    expect(api.feedback[1]).toEqual(["m1", "down", "auの場合を知りたい"]);
  });

  it("explains a failed send and retries it with the same clientMessageId", async () => {
    const api = new FakeApi();
    api.failures = 1;
    const { user } = setup(api);
    await user.type(screen.getByLabelText("メッセージ"), "解約金は？{Enter}");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("サーバーにつながりませんでした");
    await user.click(within(alert).getByRole("button", { name: "再送する" }));

    expect(await screen.findByText("「解約金は？」への回答です。")).toBeTruthy();
    expect(api.sent.map((body) => body.clientMessageId)).toEqual(["c1", "c1"]);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("restores the conversation of the stored session", async () => {
    localStorage.setItem(SESSION_KEY, SESSION);
    const api = new FakeApi();
    api.stored = history(
      historyMessage("u1", "user", "前の質問"),
      historyMessage("a1", "assistant", "前の回答"),
    );
    const { log, user } = setup(api);

    expect(await within(log).findByText("前の回答")).toBeTruthy();
    expect(screen.getByRole("button", { name: "乗り換えナビ" })).toBeTruthy();
    await user.type(screen.getByLabelText("メッセージ"), "続きです{Enter}");
    await waitFor(() => expect(api.sent[0]?.sessionId).toBe(SESSION));
  });

  it("starts over with a notice when the stored session has expired", async () => {
    localStorage.setItem(SESSION_KEY, SESSION);
    const api = new FakeApi();
    api.stored = new ApiError("session_not_found", "見つかりません", 404);
    setup(api);

    expect(await screen.findByText(/有効期限が切れた/)).toBeTruthy();
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("shows an offline banner and blocks sending until the connection returns", async () => {
    setup();
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    act(() => {
      window.dispatchEvent(new Event("offline"));
    });
    expect(screen.getByText(OFFLINE_TEXT)).toBeTruthy();
    expect((screen.getByLabelText("メッセージ") as HTMLTextAreaElement).disabled).toBe(true);

    online.mockReturnValue(true);
    act(() => {
      window.dispatchEvent(new Event("online"));
    });
    expect(screen.queryByText(OFFLINE_TEXT)).toBeNull();
    expect((screen.getByLabelText("メッセージ") as HTMLTextAreaElement).disabled).toBe(false);
  });

  it("draws a navigator roadmap as a timeline, and other answers as text", async () => {
    const api = new FakeApi();
    const roadmap =
      "【ロードマップ】\n\n1. 予約番号を取る\n   15日間有効です。\n\n2. 申し込む\n\n3. 開通する";
    api.answer = (body) =>
      response(`m${api.sent.length}`, roadmap, { mode: body.message === "全体を見る" ? "navigator" : "faq" });
    const { user } = setup(api);

    await user.type(screen.getByLabelText("メッセージ"), "全体を見る{Enter}");
    const timeline = await screen.findByRole("list", { name: "乗り換えの手順" });
    expect(
      within(timeline)
        .getAllByRole("listitem")
        .map((item) => item.querySelector("h4")?.textContent),
    ).toEqual(["ステップ1：予約番号を取る", "ステップ2：申し込む", "ステップ3：開通する"]);

    await user.type(screen.getByLabelText("メッセージ"), "同じ文{Enter}");
    await waitFor(() => expect(api.sent).toHaveLength(2));
    expect(screen.getAllByRole("list", { name: "乗り換えの手順" })).toHaveLength(1);
  });

  it("offers a way to a human operator and shows the place in the queue honestly", async () => {
    const api = new FakeApi();
    api.answer = () => ({
      ...response("m1", "おつなぎします。", { mode: "handoff", handoff: true }),
      handoff: {
        status: "waiting",
        operator: null,
        position: 2,
        estimatedWaitSeconds: 240,
        open: true,
        operatorsOnline: true,
        hours: "always",
        callbackOffered: false,
        callbackLeft: false,
      },
    });
    const { user } = setup(api);
    const operatorButton = within(screen.getByRole("banner")).getByRole("button", {
      name: "オペレーターと話す",
    });

    await user.click(operatorButton);

    expect(await screen.findByText(/2番目にお待ちです。待ち時間の目安は約4分です。/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "おつなぎを取り消す" })).toBeTruthy();
    expect(api.sent[0]?.message).toBe("オペレーターと話す");
    expect((operatorButton as HTMLButtonElement).disabled).toBe(true);
  });

  it("outside business hours offers the call-back form instead of a wait", async () => {
    const api = new FakeApi();
    api.answer = () => ({
      ...response("m1", "対応時間外です。", { mode: "handoff", handoff: true }),
      handoff: {
        status: "missed",
        operator: null,
        position: null,
        estimatedWaitSeconds: null,
        open: false,
        operatorsOnline: false,
        hours: "mon-fri 09:00-18:00 Asia/Tokyo",
        callbackOffered: true,
        callbackLeft: false,
      },
    });
    const { user } = setup(api);

    await user.click(within(screen.getByRole("banner")).getByRole("button", { name: "オペレーターと話す" }));

    expect(await screen.findByRole("form", { name: "折り返しのご連絡先" })).toBeTruthy();
    expect(screen.getByText(/対応時間: mon-fri 09:00-18:00 Asia\/Tokyo/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "おつなぎを取り消す" })).toBeNull();
  });
});

describe("ChatApp inside the widget", () => {
  it.each([
    [
      "the close button",
      async (user: ReturnType<typeof userEvent.setup>) => {
        await user.click(screen.getByRole("button", { name: "チャットを閉じる" }));
      },
    ],
    [
      "Escape",
      async (user: ReturnType<typeof userEvent.setup>) => {
        await user.keyboard("{Escape}");
      },
    ],
  ])("asks the host page to close the panel with %s", async (_name, trigger) => {
    const posted = vi.spyOn(window.parent, "postMessage").mockImplementation(() => undefined);
    const deps: ChatDeps = {
      api: new FakeApi(),
      sessions: createSessionStore(localStorage),
      connect: null,
      newId: () => "c1",
    };
    render(<ChatApp deps={deps} embedded />);
    await trigger(userEvent.setup());
    expect(posted).toHaveBeenCalledWith({ type: "mnp-chat:close" }, "*");
  });

  it("does not close while a Japanese IME conversion is cancelled with Escape", () => {
    const posted = vi.spyOn(window.parent, "postMessage").mockImplementation(() => undefined);
    const deps: ChatDeps = {
      api: new FakeApi(),
      sessions: createSessionStore(null),
      connect: null,
      newId: () => "c1",
    };
    render(<ChatApp deps={deps} embedded />);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", isComposing: true }));
    expect(posted).not.toHaveBeenCalled();
  });
});
