import { describe, expect, it, vi } from "vitest";
import { AdminHttp, withQuery } from "../../src/admin/api/http";
import { TokenStore } from "../../src/admin/api/tokens";
import { ApiError } from "../../src/api/errors";
import { fakeFetch, memoryStorage, pair, USER } from "./fakeServer";

const REFRESH_A = "refresh-token-aaaaaaaa";
const REFRESH_B = "refresh-token-bbbbbbbb";

function setup(routes: Parameters<typeof fakeFetch>[0], stored: Record<string, string> = {}) {
  const storage = memoryStorage(stored);
  const server = fakeFetch(routes);
  const http = new AdminHttp({ tokens: new TokenStore(storage), fetch: server.fetch });
  return { http, storage, calls: server.calls };
}

describe("withQuery", () => {
  it.each([
    [{}, "/p"],
    [{ q: "予約番号", limit: 5 }, "/p?q=%E4%BA%88%E7%B4%84%E7%95%AA%E5%8F%B7&limit=5"],
    [{ verified: false, brand: undefined, category: "" }, "/p?verified=false"],
    [{ a: null, b: true }, "/p?b=true"],
  ])("%j → %s", (query, expected) => {
    expect(withQuery("/p", query)).toBe(expected);
  });
});

describe("AdminHttp", () => {
  it("keeps the access token in memory only and the refresh token in the tab's storage", async () => {
    const { http, storage, calls } = setup({
      "POST /api/auth/login": () => ({ status: 200, body: pair("access-1", REFRESH_A) }),
      "GET /api/admin/faqs": () => ({ status: 200, body: { items: [] } }),
    });
    const user = await http.login("admin@example.jp", "correct horse battery");
    await http.json({ method: "GET", path: "/api/admin/faqs" });
    expect(user.displayName).toBe(USER.displayName);
    expect([...storage.data.values()]).toEqual([REFRESH_A]);
    expect(calls[1]?.authorization).toBe("Bearer access-1");
    expect(calls[0]?.authorization).toBeNull();
  });

  it("refreshes once for concurrent 401s, then retries each call with the new token", async () => {
    let refreshes = 0;
    const { http, storage, calls } = setup(
      {
        "POST /api/auth/refresh": async () => {
          refreshes += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { status: 200, body: pair("access-2", REFRESH_B) };
        },
        "GET /api/admin/gaps": (call) =>
          call.authorization === "Bearer access-2"
            ? { status: 200, body: { items: ["ok"] } }
            : { status: 401, body: { error: { code: "unauthorized", message: "認証が必要です。" } } },
      },
      { "mnp-admin-refresh": REFRESH_A },
    );
    const results = await Promise.all([
      http.json({ method: "GET", path: "/api/admin/gaps" }),
      http.json({ method: "GET", path: "/api/admin/gaps" }),
    ]);
    expect(results).toEqual([{ items: ["ok"] }, { items: ["ok"] }]);
    expect(refreshes).toBe(1);
    expect(calls.find((call) => call.url === "/api/auth/refresh")?.body).toEqual({ refreshToken: REFRESH_A });
    expect(storage.data.get("mnp-admin-refresh")).toBe(REFRESH_B);
  });

  it("signs out and tells the app when the refresh token is refused", async () => {
    const { http, storage } = setup(
      {
        "POST /api/auth/refresh": () => ({
          status: 401,
          body: { error: { code: "invalid_refresh_token", message: "期限切れ" } },
        }),
        "GET /api/auth/me": () => ({
          status: 401,
          body: { error: { code: "unauthorized", message: "認証が必要です。" } },
        }),
      },
      { "mnp-admin-refresh": REFRESH_A },
    );
    const signedOut = vi.fn();
    http.onSignedOut(signedOut);
    const error = await http.json({ method: "GET", path: "/api/auth/me" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(signedOut).toHaveBeenCalledOnce();
    expect(storage.data.size).toBe(0);
  });

  it("resumes a session from the kept refresh token, and not without one", async () => {
    const routes = {
      "POST /api/auth/refresh": () => ({ status: 200, body: pair("access-3", REFRESH_B) }),
      "GET /api/auth/me": () => ({ status: 200, body: USER }),
    };
    expect(await setup(routes).http.resume()).toBeNull();
    const kept = setup(routes, { "mnp-admin-refresh": REFRESH_A });
    expect(await kept.http.resume()).toEqual(USER);
    expect(kept.calls.at(-1)?.authorization).toBe("Bearer access-3");
  });

  it("logs out on the server and forgets both tokens, even when the server fails", async () => {
    const { http, storage, calls } = setup({
      "POST /api/auth/login": () => ({ status: 200, body: pair("access-1", REFRESH_A) }),
      "POST /api/auth/logout": () => ({ status: 500 }),
    });
    await http.login("admin@example.jp", "pw");
    await http.logout().catch(() => undefined);
    expect(calls.at(-1)?.authorization).toBe("Bearer access-1");
    expect(calls.at(-1)?.body).toEqual({ refreshToken: REFRESH_A });
    expect(storage.data.size).toBe(0);
    expect(await http.resume()).toBeNull();
  });

  it("item 13: logs out with the refresh token when only that is left (after a reload or idle)", async () => {
    const { http, storage, calls } = setup(
      { "POST /api/auth/logout": () => ({ status: 204 }) },
      { "mnp-admin-refresh": REFRESH_A },
    );
    await http.logout();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.authorization).toBeNull();
    expect(calls[0]?.body).toEqual({ refreshToken: REFRESH_A });
    expect(storage.data.size).toBe(0);
  });

  it("item 13: takes the idle timeout from the server", async () => {
    const { http } = setup({
      "POST /api/auth/login": () => ({
        status: 200,
        body: { ...pair("access-1", REFRESH_A), idleTimeoutSeconds: 120 },
      }),
    });
    expect(http.idleTimeoutMs).toBe(15 * 60 * 1000);
    await http.login("admin@example.jp", "pw");
    expect(http.idleTimeoutMs).toBe(120_000);
  });

  it("reports a wrong password as the server's Japanese message", async () => {
    const { http, storage } = setup({
      "POST /api/auth/login": () => ({
        status: 401,
        body: {
          error: {
            code: "invalid_credentials",
            message: "メールアドレスまたはパスワードが正しくありません。",
          },
        },
      }),
    });
    await expect(http.login("a@b.jp", "x")).rejects.toMatchObject({
      code: "invalid_credentials",
      status: 401,
    });
    expect(storage.data.size).toBe(0);
  });

  it("sends uploads as the raw file with its media type", async () => {
    const { http, calls } = setup({
      "POST /api/admin/faqs/import": () => ({
        status: 200,
        body: { total: 1, created: 1, updated: 0, unchanged: 0, dryRun: true },
      }),
    });
    await http.json({
      method: "POST",
      path: "/api/admin/faqs/import",
      query: { format: "csv", dryRun: true },
      raw: { body: "slug,question\n", contentType: "text/csv" },
    });
    expect(calls[0]?.url).toBe("/api/admin/faqs/import?format=csv&dryRun=true");
    expect(calls[0]?.body).toBe("slug,question\n");
  });
});
