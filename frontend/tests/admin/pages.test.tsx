import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AdminHttp } from "../../src/admin/api/http";
import { TokenStore } from "../../src/admin/api/tokens";
import type { Analytics, CarrierDocument, Day, Gap, TryResponse } from "../../src/admin/api/types";
import { AdminApp } from "../../src/admin/components/AdminApp";
import { formatOfFile } from "../../src/admin/components/FileTransfer";
import { series } from "../../src/admin/pages/AnalyticsPage";
import { parseCarrierDocument } from "../../src/admin/pages/CarriersPage";
import { fakeFetch, type Handler, memoryStorage, pair, USER } from "./fakeServer";

const ok = (body: unknown) => () => ({ status: 200, body });

function day(date: string, overrides: Partial<Day> = {}): Day {
  return {
    date,
    conversations: 0,
    turns: 0,
    resolved: 0,
    resolutionRate: null,
    handoffs: 0,
    handoffRate: null,
    thumbsUp: 0,
    thumbsDown: 0,
    feedbackRatio: null,
    latencyP50Ms: null,
    latencyP95Ms: null,
    ...overrides,
  };
}

/** The console at `path`, already signed in (a kept refresh token), with the given API routes. */
function openAt(path: string, routes: Record<string, Handler>) {
  window.history.replaceState(null, "", path);
  const server = fakeFetch({
    "POST /api/auth/refresh": ok(pair("access-9", "refresh-token-cccccccc")),
    "GET /api/auth/me": ok(USER),
    ...routes,
  });
  const storage = memoryStorage({ "mnp-admin-refresh": "refresh-token-bbbbbbbb" });
  const http = new AdminHttp({ tokens: new TokenStore(storage), fetch: server.fetch });
  render(<AdminApp http={http} now={() => new Date("2026-11-29T03:00:00Z")} />);
  return server.calls;
}

describe("try-a-question bench", () => {
  const RESULT: TryResponse = {
    question: "ahamoの予約番号は？",
    query: "ahamo 予約番号",
    reply: {
      text: "ahamoではMNP予約番号の発行は不要です。",
      mode: "faq",
      confidence: 0.82,
      sources: [{ faqId: "f1", question: "ahamoへの乗り換え", url: null, verified: true }],
      quickReplies: ["手数料は？"],
      handoff: false,
      handoffReason: null,
    },
    ranking: [
      {
        rank: 1,
        entry: { id: "f1", slug: "ahamo-switch", question: "ahamoへの乗り換え", category: "basics" },
        hit: {
          score: 12.5,
          confidence: 0.82,
          lexical: 10,
          brandFactor: 1.2,
          matchedTerms: ["ahamo", "予約番号"],
        },
      },
      {
        rank: 2,
        entry: { id: "f2", slug: "reservation", question: "予約番号とは", category: "reservation" },
        hit: { score: 7.25, confidence: 0.4, lexical: 7, brandFactor: 1, matchedTerms: ["予約番号"] },
      },
    ],
    knowledgeVersion: "v1",
    thresholds: { answer: 0.5, clarify: 0.25, related: 0.15 },
  };

  it("shows the reply, its mode and the ranked entries with scores", async () => {
    const calls = openAt("/admin/bench", { "POST /api/admin/try": ok(RESULT) });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("質問"), "ahamoの予約番号は？");
    await user.click(screen.getByRole("button", { name: "試す" }));
    expect((await screen.findByTestId("bench-reply-text")).textContent).toBe(RESULT.reply.text);
    expect(screen.getByText("FAQ回答")).toBeTruthy();
    const rows = within(screen.getByRole("region", { name: "検索の順位" }))
      .getAllByRole("row")
      .slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      "1ahamoへの乗り換え12.50082%ahamo、予約番号",
      "2予約番号とは7.25040%予約番号",
    ]);
    expect(calls.at(-1)?.body).toEqual({ question: "ahamoの予約番号は？", limit: 10 });
  });
});

describe("knowledge gaps", () => {
  const GAP: Gap = {
    key: "eximからmnpしたい",
    question: "eximからMNPしたい",
    variants: ["eximからMNPしたい", "eximから乗り換え"],
    count: 3,
    conversations: 2,
    lastSeen: "2026-11-28T10:00:00Z",
    reasons: { no_answer: 2, thumbs_down: 1 },
    candidate: null,
  };

  it("groups reasons and turns a gap into a pre-filled FAQ draft", async () => {
    const calls = openAt("/admin/gaps", {
      "GET /api/admin/gaps": ok({ items: [GAP], from: "2026-10-31", to: "2026-11-29" }),
      "POST /api/admin/gaps/faq-draft": ok({
        draft: {
          slug: "",
          category: "basics",
          question: "eximからMNPしたい",
          alternates: ["eximから乗り換え"],
        },
        gap: GAP,
        missing: ["answer", "sources"],
      }),
    });
    const user = userEvent.setup();
    const item = (await screen.findByText("eximからMNPしたい")).closest("li") as HTMLElement;
    expect(within(item).getByText("回答できず 2")).toBeTruthy();
    expect(within(item).getByText("低評価 1")).toBeTruthy();
    expect(calls.find((call) => call.url.startsWith("/api/admin/gaps"))?.url).toContain(
      "from=2026-10-31&to=2026-11-29",
    );
    await user.click(within(item).getByRole("button", { name: "このFAQを作る" }));
    expect(await screen.findByRole("heading", { name: "新しいFAQ" })).toBeTruthy();
    expect((screen.getByLabelText("質問") as HTMLInputElement).value).toBe("eximからMNPしたい");
    expect(screen.getByText(/次の項目を埋めてください: 回答、出典/)).toBeTruthy();
    expect(window.location.pathname).toBe("/admin/faqs/new");
  });
});

describe("conversations", () => {
  it("opens a transcript with mode, confidence, latency, feedback and hand-off", async () => {
    const conversation = {
      id: "c1",
      channel: "web",
      status: "queued",
      createdAt: "2026-11-29T01:00:00Z",
      lastMessageAt: "2026-11-29T01:02:00Z",
      turns: 1,
      handoff: true,
      minConfidence: 0.2,
      thumbsUp: 0,
      thumbsDown: 1,
      firstQuestion: "電話番号は[電話番号]です",
    };
    openAt("/admin/conversations", {
      "GET /api/admin/conversations": ok({ items: [conversation], total: 1, limit: 50, offset: 0 }),
      "GET /api/admin/conversations/c1": ok({
        conversation,
        messages: [
          {
            id: "m1",
            role: "user",
            text: "電話番号は[電話番号]です",
            mode: null,
            confidence: null,
            sources: [],
            quickReplies: [],
            handoff: false,
            latencyMs: null,
            createdAt: "2026-11-29T01:00:00Z",
            feedback: null,
          },
          {
            id: "m2",
            role: "assistant",
            text: "担当者におつなぎします。",
            mode: "handoff",
            confidence: 0.2,
            sources: [],
            quickReplies: [],
            handoff: true,
            latencyMs: 1830,
            createdAt: "2026-11-29T01:00:01Z",
            feedback: { rating: "down", comment: "遅い" },
          },
        ],
        handoffs: [
          {
            id: "h1",
            reason: "requested",
            status: "waiting",
            createdAt: "2026-11-29T01:00:01Z",
            claimedAt: null,
            resolvedAt: null,
          },
        ],
      }),
    });
    const user = userEvent.setup();
    const row = (await screen.findByText("有人対応待ち")).closest("tr") as HTMLElement;
    expect(row.textContent).toContain("20%");
    expect(row.textContent).toContain("低 1");
    expect(within(row).getByRole("link").textContent).toBe("電話番号は[電話番号]です");
    await user.click(within(row).getByRole("link"));
    expect(await screen.findByText("電話番号は[電話番号]です")).toBeTruthy();
    const bot = screen.getByText("担当者におつなぎします。").closest("li") as HTMLElement;
    expect(bot.textContent).toContain("有人対応");
    expect(bot.textContent).toContain("1.83 秒");
    expect(bot.textContent).toContain("低評価（役に立たなかった）");
    expect(bot.textContent).toContain("コメント: 遅い");
    const handoffs = screen.getByRole("region", { name: "有人対応の記録" });
    expect(handoffs.textContent).toContain("理由: お客さまの希望 ・ 状態: 待機中");
    expect(handoffs.textContent).not.toMatch(/requested|waiting/);
  });
});

describe("analytics", () => {
  it("draws the daily series and the totals", async () => {
    const report: Analytics = {
      from: "2026-11-28",
      to: "2026-11-29",
      timezone: "Asia/Tokyo",
      days: [
        day("2026-11-28", { conversations: 4, resolutionRate: 0.75, latencyP50Ms: 120 }),
        day("2026-11-29", { conversations: 2, resolutionRate: 0.5, latencyP50Ms: 90 }),
      ],
      totals: day(null as unknown as string, {
        conversations: 6,
        turns: 9,
        resolutionRate: 0.667,
        handoffRate: 0.1,
        feedbackRatio: 0.8,
        thumbsUp: 4,
        thumbsDown: 1,
        latencyP50Ms: 100,
        latencyP95Ms: 1500,
      }),
      modes: { faq: 7, clarify: 2 },
      topQuestions: [{ question: "手数料は？", count: 3 }],
    };
    openAt("/admin/analytics", { "GET /api/admin/analytics": ok(report) });
    const totals = await screen.findByRole("region", { name: "期間の合計" });
    expect(totals.textContent).toContain("67%");
    expect(totals.textContent).toContain("1.50 秒");
    expect(screen.getAllByRole("figure")).toHaveLength(5);
    expect(screen.getByRole("img", { name: /1日の会話数（11\/28: 4、11\/29: 2）/ })).toBeTruthy();
    expect(screen.getByText("聞き返し: 2")).toBeTruthy();
  });

  it.each([
    [[day("2026-11-29", { handoffRate: 0.25 })], [{ label: "11/29", value: 0.25 }]],
    [[day("2026-01-05")], [{ label: "01/05", value: null }]],
  ])("series %#", (days, expected) => {
    expect(series(days, (d) => d.handoffRate)).toEqual(expected);
  });
});

describe("session", () => {
  beforeEach(() => window.history.replaceState(null, "", "/admin/faqs"));

  it("returns to the login form with a notice when the refresh token is refused", async () => {
    let refreshes = 0;
    openAt("/admin/faqs", {
      "POST /api/auth/refresh": () => {
        refreshes += 1;
        return refreshes === 1
          ? { status: 200, body: pair("access-9", "refresh-token-cccccccc") }
          : { status: 401, body: { error: { code: "invalid_refresh_token", message: "期限切れ" } } };
      },
      "GET /api/admin/faqs": () => ({ status: 401, body: { error: { code: "unauthorized", message: "" } } }),
    });
    expect(await screen.findByText(/ログインの有効期限が切れました/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "ログイン" })).toBeTruthy();
  });
});

describe("small parsers", () => {
  it.each([
    ["faqs.yaml", "yaml"],
    ["FAQS.YML", "yaml"],
    ["carriers.json", "json"],
    ["export.csv", "csv"],
    ["faqs.xlsx", null],
    ["noextension", null],
  ])("formatOfFile(%s)", (name, expected) => {
    expect(formatOfFile(name)).toBe(expected);
  });

  it.each([
    ['{"id": "povo", "name": "povo"}', true],
    ["[1, 2]", false],
    ["null", false],
    ["{id: povo}", false],
  ])("parseCarrierDocument(%s)", (text, valid) => {
    expect("document" in parseCarrierDocument(text)).toBe(valid);
  });
});

const POVO: CarrierDocument = {
  id: "povo",
  name: "povo",
  group: "kddi",
  kind: "online_brand",
  aliases: ["ポヴォ"],
  officialUrl: "https://povo.jp/",
  oneStop: { participates: true, verification: "official", sources: [{ title: "povo公式" }] },
  fees: [
    {
      name: "契約事務手数料",
      channel: "web",
      amountYen: 0,
      text: "無料",
      asOf: "2026-11-01",
      verification: "official",
    },
  ],
  asOf: "2026-11-01",
};
const POVO_ROW = {
  id: "povo",
  name: "povo",
  group: "kddi",
  kind: "online_brand",
  aliases: ["ポヴォ"],
  asOf: "2026-11-01",
};

describe("FAQ deletion and carriers", () => {
  const FAQ = {
    id: "id-7",
    slug: "sim-unlock",
    category: "side_effects",
    question: "SIMロックの解除は必要？",
    answer: "原則不要です。",
    alternates: ["SIMロック解除", "SIMロック 必要"],
    keywords: [],
    brands: [],
    factIds: [],
    sources: [{ title: "総務省" }],
    asOf: "2026-11-01",
    verification: "official",
    verified: true,
    officialUrl: null,
    validFrom: null,
    validUntil: null,
    isPublished: true,
  };

  it.each([
    [true, 1],
    [false, 0],
  ])("deletes only after the operator confirms (%s)", async (confirmed, deletes) => {
    vi.spyOn(window, "confirm").mockReturnValue(confirmed);
    const calls = openAt("/admin/faqs/sim-unlock", {
      "GET /api/admin/faqs/sim-unlock": ok(FAQ),
      "DELETE /api/admin/faqs/sim-unlock": () => ({ status: 204 }),
      "GET /api/admin/faqs": ok({ items: [], total: 0, limit: 50, offset: 0 }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "削除" }));
    expect(window.confirm).toHaveBeenCalledWith(expect.stringContaining("SIMロックの解除は必要？"));
    expect(calls.filter((call) => call.method === "DELETE")).toHaveLength(deletes);
    if (confirmed) expect(await screen.findByRole("heading", { name: "FAQ管理" })).toBeTruthy();
  });

  it("PUTs an edited carrier document and refuses text that is not a JSON object", async () => {
    const document = POVO;
    const calls = openAt("/admin/carriers", {
      "GET /api/carriers": ok({
        items: [
          {
            id: "povo",
            name: "povo",
            group: "kddi",
            kind: "online_brand",
            aliases: ["ポヴォ"],
            asOf: "2026-11-01",
            document,
          },
        ],
      }),
      "PUT /api/admin/carriers/povo": (call) => ({
        status: 200,
        body: { id: "povo", created: false, echo: call.body },
      }),
    });
    const user = userEvent.setup();
    const row = (await screen.findByText("オンライン専用")).closest("tr") as HTMLElement;
    await user.click(within(row).getByRole("button", { name: "編集" }));
    await user.click(screen.getByRole("button", { name: "JSONで編集（上級者向け）" }));
    const editor = screen.getByLabelText(/povo のデータ/);
    await user.clear(editor);
    await user.click(editor);
    await user.paste("[1, 2]");
    await user.click(screen.getByRole("button", { name: "povo を保存" }));
    expect((await screen.findByRole("alert")).textContent).toContain("JSONオブジェクト");
    await user.clear(editor);
    await user.paste(JSON.stringify({ ...document, name: "povo2.0" }));
    await user.click(screen.getByRole("button", { name: "povo を保存" }));
    expect(await screen.findByText(/保存しました/)).toBeTruthy();
    const puts = calls.filter((call) => call.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual({ ...document, name: "povo2.0" });
  });

  it("edits a carrier as a form: problems next to their fields, the JSON view in step", async () => {
    const calls = openAt("/admin/carriers", {
      "GET /api/carriers": ok({ items: [{ ...POVO_ROW, document: POVO }] }),
      "PUT /api/admin/carriers/povo": (call) => {
        const body = call.body as { oneStop: { participates: boolean | null } };
        if (body.oneStop.participates === false)
          return {
            status: 422,
            body: {
              error: {
                code: "validation_error",
                message:
                  "入力内容に誤りがあります（oneStop.sources: ワンストップ対応の有無を指定するときは、その出典が必要です）。",
                problems: [{ field: "oneStop.participates", message: "出典が必要です" }],
              },
            },
          };
        return { status: 200, body: { id: "povo", created: false } };
      },
    });
    const user = userEvent.setup();
    const row = (await screen.findByText("オンライン専用")).closest("tr") as HTMLElement;
    await user.click(within(row).getByRole("button", { name: "編集" }));
    expect(screen.getByRole("group", { name: "基本情報" })).toBeTruthy();
    const url = screen.getByLabelText("公式サイトのURL");
    await user.clear(url);
    await user.click(url);
    await user.paste("povo.jp");
    const amount = screen.getByLabelText("金額（円・税込）");
    await user.clear(amount);
    await user.click(amount);
    await user.paste("1100");
    await user.click(screen.getByRole("button", { name: "povo を保存" }));
    expect(url.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(url.getAttribute("aria-describedby") ?? "")?.textContent).toContain(
      "正しいURLを指定してください",
    );
    expect(calls.filter((call) => call.method === "PUT")).toHaveLength(0);

    await user.clear(url);
    await user.click(url);
    await user.paste("https://povo.jp/");
    await user.selectOptions(screen.getByLabelText("ワンストップ方式に対応"), "no");
    await user.click(screen.getByRole("button", { name: "povo を保存" }));
    const participates = screen.getByLabelText("ワンストップ方式に対応");
    await waitFor(() => expect(participates.getAttribute("aria-invalid")).toBe("true"));

    await user.selectOptions(participates, "yes");
    await user.click(screen.getByRole("button", { name: "povo を保存" }));
    expect(await screen.findByText(/保存しました/)).toBeTruthy();
    const puts = calls.filter((call) => call.method === "PUT");
    const saved = puts[puts.length - 1]?.body as typeof POVO;
    expect(saved.fees?.[0]?.amountYen).toBe(1100);
    expect(saved.officialUrl).toBe("https://povo.jp/");
    await user.click(screen.getByRole("button", { name: "JSONで編集（上級者向け）" }));
    expect((screen.getByLabelText(/povo のデータ/) as HTMLTextAreaElement).value).toContain(
      '"amountYen": 1100',
    );
  }, 30_000);
});
