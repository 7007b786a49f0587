import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { AdminHttp } from "../../src/admin/api/http";
import { TokenStore } from "../../src/admin/api/tokens";
import type { FaqEntry } from "../../src/admin/api/types";
import { AdminApp } from "../../src/admin/components/AdminApp";
import { fakeFetch, memoryStorage, pair, type Recorded } from "./fakeServer";

const FAQ: FaqEntry = {
  id: "id-1",
  slug: "reservation-validity",
  category: "reservation",
  question: "MNP予約番号の有効期限は？",
  answer: "発行日を含めて15日間です。",
  alternates: ["予約番号はいつまで", "予約番号 期限"],
  keywords: [],
  brands: [],
  factIds: [],
  sources: [{ title: "総務省", url: "https://www.soumu.go.jp/" }],
  asOf: "2026-11-01",
  verification: "official",
  verified: true,
  officialUrl: null,
  validFrom: null,
  validUntil: null,
  isPublished: true,
};

function mount(extra: Record<string, (call: Recorded) => { status: number; body?: unknown }> = {}) {
  const server = fakeFetch({
    "POST /api/auth/login": (call) =>
      (call.body as { password: string }).password === "正しいパスワード1234"
        ? { status: 200, body: pair("access-1", "refresh-token-aaaaaaaa") }
        : {
            status: 401,
            body: {
              error: {
                code: "invalid_credentials",
                message: "メールアドレスまたはパスワードが正しくありません。",
              },
            },
          },
    "GET /api/admin/faqs": () => ({ status: 200, body: { items: [FAQ], total: 1, limit: 50, offset: 0 } }),
    "GET /api/admin/faqs/reservation-validity": () => ({ status: 200, body: FAQ }),
    ...extra,
  });
  const http = new AdminHttp({ tokens: new TokenStore(memoryStorage()), fetch: server.fetch });
  render(<AdminApp http={http} now={() => new Date("2026-11-29T03:00:00Z")} />);
  return server.calls;
}

async function logIn(password = "正しいパスワード1234") {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("メールアドレス"), "admin@example.jp");
  await user.type(screen.getByLabelText("パスワード"), password);
  await user.click(screen.getByRole("button", { name: "ログイン" }));
  return user;
}

describe("AdminApp", () => {
  beforeEach(() => window.history.replaceState(null, "", "/admin/faqs"));

  it("shows the server's message for a wrong password and stays on the login form", async () => {
    mount();
    await logIn("まちがい");
    expect(await screen.findByRole("alert")).toHaveProperty(
      "textContent",
      "メールアドレスまたはパスワードが正しくありません。",
    );
    expect(screen.getByRole("button", { name: "ログイン" })).toBeTruthy();
  });

  it("item 13: signs out after the idle timeout and ends the sign-in on the server", async () => {
    const calls = mount({
      "POST /api/auth/login": () => ({
        status: 200,
        body: { ...pair("access-1", "refresh-token-aaaaaaaa"), idleTimeoutSeconds: 1 },
      }),
      "POST /api/auth/logout": () => ({ status: 204 }),
    });
    await logIn();
    expect(
      await screen.findByText("一定時間操作がなかったため、ログアウトしました。", {}, { timeout: 3000 }),
    ).toBeTruthy();
    const logout = calls.find((call) => call.url.endsWith("/api/auth/logout"));
    expect(logout?.body).toEqual({ refreshToken: "refresh-token-aaaaaaaa" });
  });

  it("logs in, lists the FAQ, filters it and sends the filter to the API", async () => {
    const calls = mount();
    const user = await logIn();
    expect(await screen.findByRole("link", { name: FAQ.question })).toBeTruthy();
    await user.type(screen.getByLabelText("キーワード"), "予約番号");
    await user.selectOptions(screen.getByLabelText("確認状況"), "false");
    await user.click(screen.getByRole("button", { name: "検索" }));
    await screen.findByText(/1 件中/);
    const last = calls.filter((call) => call.url.startsWith("/api/admin/faqs")).at(-1);
    expect(last?.url).toContain("verified=false");
    expect(decodeURIComponent(last?.url ?? "")).toContain("q=予約番号");
    expect(last?.authorization).toBe("Bearer access-1");
  });

  it("edits an answer and PUTs the whole entry back", async () => {
    let saved: unknown = null;
    mount({
      "PUT /api/admin/faqs/reservation-validity": (call) => {
        saved = call.body;
        return { status: 200, body: { ...FAQ, ...(call.body as object) } };
      },
    });
    const user = await logIn();
    await user.click(await screen.findByRole("link", { name: FAQ.question }));
    const answer = await screen.findByLabelText(/^回答/);
    await user.clear(answer);
    await user.type(answer, "発行日を含めて15日間有効です。");
    await user.click(screen.getByRole("button", { name: "保存" }));
    expect(await screen.findByText(/保存しました/)).toBeTruthy();
    expect(saved).toMatchObject({
      slug: FAQ.slug,
      answer: "発行日を含めて15日間有効です。",
      alternates: FAQ.alternates,
    });
    expect(saved).not.toHaveProperty("id");
    expect(window.location.pathname).toBe("/admin/faqs/reservation-validity");
  });

  it("refuses to send an entry with fewer than two alternates", async () => {
    const calls = mount();
    const user = await logIn();
    await user.click(await screen.findByRole("link", { name: FAQ.question }));
    const alternates = await screen.findByLabelText(/^言い換え/);
    await user.clear(alternates);
    await user.type(alternates, "ひとつだけ");
    await user.click(screen.getByRole("button", { name: "保存" }));
    expect((await screen.findByRole("alert")).textContent).toContain("言い換えを2つ以上");
    expect(calls.some((call) => call.method === "PUT")).toBe(false);
  });

  it("navigates between sections with the menu", async () => {
    mount({ "POST /api/admin/try": () => ({ status: 200, body: {} }) });
    const user = await logIn();
    const menu = await screen.findByRole("navigation", { name: "メニュー" });
    await user.click(within(menu).getByRole("link", { name: "質問を試す" }));
    expect(await screen.findByRole("heading", { name: "質問を試す" })).toBeTruthy();
    expect(window.location.pathname).toBe("/admin/bench");
  });
});

describe("the header's user", () => {
  it("names the role once when the display name is only the role", async () => {
    const { userBadge } = await import("../../src/admin/components/AdminApp");
    const base = pair("a", "refresh-token-aaaaaaaa").user;
    expect(userBadge({ ...base, displayName: "管理者", role: "admin" })).toBe("管理者");
    expect(userBadge({ ...base, displayName: "運用 花子", role: "operator" })).toBe(
      "運用 花子（オペレーター）",
    );
  });
});
