import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../../src/api/client";
import { ApiError, customerMessage, waitWords } from "../../src/api/errors";
import { response, SESSION } from "../fixtures";

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

describe("ApiClient", () => {
  it("posts a chat message as JSON and returns the answer", async () => {
    const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      json(200, response("m1", "回答")),
    );
    const client = new ApiClient({ fetch, baseUrl: "http://app" });
    const answer = await client.postChat({ message: "手数料は？", clientMessageId: "c1" });
    expect(answer.messageId).toBe("m1");
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe("http://app/api/chat");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ message: "手数料は？", clientMessageId: "c1" });
  });

  it("escapes the ids it puts in paths", async () => {
    const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => json(201, {}));
    await new ApiClient({ fetch }).postFeedback("a/b", { rating: "up", sessionId: SESSION });
    expect(fetch.mock.calls[0]?.[0]).toBe("/api/messages/a%2Fb/feedback");
  });

  it("item 7: sends the session token in a header, never in the URL", async () => {
    const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      json(200, { sessionId: SESSION, messages: [] }),
    );
    await new ApiClient({ fetch }).getHistory(SESSION);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe("/api/session/messages");
    expect(String(url)).not.toContain(SESSION);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    expect(headers["X-Session-Token"]).toBe(SESSION);
  });

  it("turns the error body into an ApiError with code, message and status", async () => {
    const fetch = vi.fn(async () =>
      json(404, { error: { code: "session_not_found", message: "見つかりません" } }),
    );
    const failure = new ApiClient({ fetch }).getHistory(SESSION);
    await expect(failure).rejects.toMatchObject({
      code: "session_not_found",
      message: "見つかりません",
      status: 404,
    });
  });

  it("reports an unreachable server as a network error", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(new ApiClient({ fetch }).postChat({ message: "x" })).rejects.toMatchObject({
      code: "network_error",
    });
  });

  it("reports a non-JSON error page by its status", async () => {
    const fetch = vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502 }));
    await expect(new ApiClient({ fetch }).postChat({ message: "x" })).rejects.toMatchObject({
      code: "http_502",
      status: 502,
    });
  });
});

describe("customerMessage", () => {
  it.each([
    [new ApiError("network_error", ""), "サーバーにつながりませんでした"],
    [new ApiError("timeout", ""), "応答に時間がかかっています"],
    [new ApiError("too_many_requests", "Too Many", 429), "混み合っています"],
    [new ApiError("http_502", "", 502), "システムで問題が起きました"],
    [new ApiError("validation_error", "メッセージは1000文字以内で入力してください", 422), "1000文字以内"],
    [new Error("boom"), "送信できませんでした"],
  ])("explains %o in plain Japanese", (error, expected) => {
    expect(customerMessage(error)).toContain(expected);
  });
});

describe("issue 18: the wait and the blame", () => {
  it.each([
    [12, "約20秒"],
    [60, "約1分"],
    [61, "約2分"],
    [840, "約14分"],
    [3600, "約1時間"],
  ])("says %i seconds as %s", (seconds, words) => {
    expect(waitWords(seconds)).toBe(words);
  });

  it("tells a customer refused by the rate limit how long to wait", () => {
    const refused = new ApiError("rate_limited", "リクエストが多すぎます。", 429, 754);
    expect(customerMessage(refused)).toContain("約13分たってから");
  });

  it("reads Retry-After from a 429 response", async () => {
    const body = { error: { code: "rate_limited", message: "リクエストが多すぎます。" } };
    const fetch = vi.fn(
      async () => new Response(JSON.stringify(body), { status: 429, headers: { "Retry-After": "95" } }),
    );
    const error = await new ApiClient({ fetch }).postChat({ message: "x" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limited", retryAfter: 95 });
    expect(customerMessage(error)).toContain("約2分");
  });

  it("blames the customer's network only when the browser is offline", () => {
    const online = vi.spyOn(navigator, "onLine", "get");
    online.mockReturnValue(false);
    expect(customerMessage(new ApiError("network_error", ""))).toContain("電波やWi-Fi");
    online.mockReturnValue(true);
    expect(customerMessage(new ApiError("network_error", ""))).not.toContain("Wi-Fi");
    online.mockRestore();
  });
});
