import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { HandoffDetail, HandoffItem } from "../../src/admin/api/handoff";
import { AdminHttp } from "../../src/admin/api/http";
import { TokenStore } from "../../src/admin/api/tokens";
import { AdminApp } from "../../src/admin/components/AdminApp";
import type { ConnectLive, LiveEvents } from "../../src/admin/live";
import { fakeFetch, type Handler, memoryStorage, pair, USER } from "./fakeServer";

const ok = (body: unknown) => () => ({ status: 200, body });

const WAITING: HandoffItem = {
  id: "h1",
  conversationId: "c1",
  reason: "requested",
  channel: "web",
  status: "waiting",
  waitingSeconds: 95,
  operator: null,
  operatorId: null,
  outcome: null,
  preview: "解約金について相談したい",
  queuedAt: "2026-11-29T02:58:00Z",
  claimedAt: null,
  resolvedAt: null,
  callbackRequested: false,
};

const DETAIL: HandoffDetail = {
  handoff: WAITING,
  messages: [
    {
      id: "m1",
      role: "user",
      text: "オペレーターと話したい",
      mode: null,
      author: null,
      createdAt: "2026-11-29T02:58:00Z",
    },
    {
      id: "m2",
      role: "assistant",
      text: "おつなぎします。",
      mode: "handoff",
      author: null,
      createdAt: "2026-11-29T02:58:01Z",
    },
  ],
  notes: [],
};

function openQueue(routes: Record<string, Handler>, connectLive: ConnectLive | null = null) {
  window.history.replaceState(null, "", "/admin/handoffs");
  const server = fakeFetch({
    "POST /api/auth/refresh": ok(pair("access-9", "refresh-token-cccccccc")),
    "GET /api/auth/me": ok(USER),
    "GET /api/admin/operators/me/presence": ok({
      userId: USER.id,
      displayName: USER.displayName,
      role: "admin",
      status: "offline",
      capacity: 3,
      active: 0,
    }),
    "GET /api/admin/handoff-settings": ok({
      hours: "always",
      holidays: [],
      capacity: 3,
      reclaimSeconds: 120,
      abandonSeconds: 1800,
    }),
    "GET /api/admin/operators": ok({ items: [] }),
    ...routes,
  });
  const storage = memoryStorage({ "mnp-admin-refresh": "refresh-token-bbbbbbbb" });
  const http = new AdminHttp({ tokens: new TokenStore(storage), fetch: server.fetch });
  render(<AdminApp http={http} now={() => new Date("2026-11-29T03:00:00Z")} connectLive={connectLive} />);
  return server.calls;
}

describe("hand-off queue", () => {
  it("lists waiting conversations with reason, channel, wait and the masked preview, and claims one", async () => {
    let claimed = false;
    const calls = openQueue({
      "GET /api/admin/handoffs": (call) =>
        ok({ items: call.url.includes("status=waiting") && !claimed ? [WAITING] : [] })(),
      "GET /api/admin/handoffs/h1": () =>
        ok(
          claimed
            ? {
                ...DETAIL,
                handoff: { ...WAITING, status: "active", operator: USER.displayName, operatorId: USER.id },
              }
            : DETAIL,
        )(),
      "POST /api/admin/handoffs/h1/claim": () => {
        claimed = true;
        return { status: 200, body: { ...WAITING, status: "active" } };
      },
    });
    const user = userEvent.setup();
    const queue = await screen.findByRole("region", { name: "待機中" });
    const item = await within(queue).findByRole("link", { name: /お客さまの希望/ });
    expect(item.textContent).toContain("Webページ ・ 待ち 1分");
    expect(item.textContent).toContain("解約金について相談したい");

    await user.click(item);
    await user.click(await screen.findByRole("button", { name: "対応する" }));
    expect(await screen.findByLabelText("お客さまへの返信")).toBeTruthy();
    expect(calls.some((call) => call.method === "POST" && call.url.endsWith("/claim"))).toBe(true);
    expect(
      within(screen.getByRole("list", { name: "会話の記録" })).getByText("おつなぎします。"),
    ).toBeTruthy();
  });

  it("counts arrivals in the tab's title until a conversation is opened", async () => {
    let events: LiveEvents | null = null;
    const connect: ConnectLive = (given) => {
      events = given;
      return { typing: () => undefined, close: () => undefined };
    };
    openQueue({ "GET /api/admin/handoffs": ok({ items: [] }) }, connect);
    await waitFor(() => expect(events).not.toBeNull());
    const live = events as LiveEvents | null;
    act(() => {
      live?.changed("queue", { status: "waiting", id: "h2" });
      live?.changed("queue", { status: "waiting", id: "h3" });
    });
    await waitFor(() => expect(document.title.startsWith("(2) 有人対応")).toBe(true));
  });
});
