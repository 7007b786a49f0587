// A scripted fetch for the console's tests: routes by "METHOD path", records every call.

import type { Fetch } from "../../src/admin/api/http";

export interface Recorded {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

export type Handler = (
  call: Recorded,
) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export function fakeFetch(routes: Record<string, Handler>): { fetch: Fetch; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const fetchImpl: Fetch = async (input, init) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const raw = init?.body;
    const body =
      typeof raw === "string" && headers["content-type"] === "application/json" ? JSON.parse(raw) : raw;
    const call: Recorded = { method, url, authorization: headers.authorization ?? null, body };
    calls.push(call);
    const path = url.split("?")[0] ?? url;
    const handler = routes[`${method} ${path}`];
    const result = handler
      ? await handler(call)
      : { status: 404, body: { error: { code: "not_found", message: "" } } };
    return new Response(result.body === undefined ? null : JSON.stringify(result.body), {
      status: result.status,
      headers: { "content-type": "application/json" },
    });
  };
  return { fetch: fetchImpl, calls };
}

export function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

export const USER = {
  id: "u1",
  email: "admin@example.jp",
  displayName: "運用 花子",
  role: "admin" as const,
  isActive: true,
  lastLoginAt: null,
  createdAt: "2026-11-01T00:00:00Z",
};

export function pair(access: string, refresh: string) {
  return { accessToken: access, refreshToken: refresh, tokenType: "bearer", expiresIn: 900, user: USER };
}
