import { describe, expect, it } from "vitest";
import { parseRoute, type Route, routePath } from "../../src/admin/router";

describe("console routes", () => {
  it.each<[string, Route]>([
    ["/admin", { page: "faqs" }],
    ["/admin/", { page: "faqs" }],
    ["/admin/faqs", { page: "faqs" }],
    ["/admin/faqs/new", { page: "new-faq" }],
    ["/admin/faqs/reservation-validity", { page: "faq", key: "reservation-validity" }],
    ["/admin/bench", { page: "bench" }],
    ["/admin/carriers", { page: "carriers" }],
    ["/admin/conversations/3f2a", { page: "conversation", id: "3f2a" }],
    ["/admin/gaps", { page: "gaps" }],
    ["/admin/analytics", { page: "analytics" }],
    ["/admin/no-such-page", { page: "faqs" }],
  ])("%s", (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });

  it.each<Route>([
    { page: "faq", key: "予約 番号/1" },
    { page: "conversation", id: "abc" },
    { page: "new-faq" },
    { page: "analytics" },
  ])("routePath and parseRoute agree for %j", (route) => {
    expect(parseRoute(routePath(route))).toEqual(route);
  });
});
