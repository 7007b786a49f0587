// A tiny path router for the console: the pages live under /admin, the browser's history drives them.

import { useEffect, useState } from "react";

export const BASE = "/admin";

export type Route =
  | { page: "faqs" }
  | { page: "reviews" }
  | { page: "faq"; key: string }
  | { page: "new-faq" }
  | { page: "carriers" }
  | { page: "bench" }
  | { page: "conversations" }
  | { page: "conversation"; id: string }
  | { page: "gaps" }
  | { page: "analytics" }
  | { page: "handoffs"; id: string | null }
  | { page: "callbacks" }
  | { page: "users" }
  | { page: "audit" };

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split("/").filter(Boolean).map(decodeURIComponent);
  const [head, second] = parts;
  switch (head) {
    case "faqs":
      if (second === "new") return { page: "new-faq" };
      return second ? { page: "faq", key: second } : { page: "faqs" };
    case "reviews":
      return { page: "reviews" };
    case "carriers":
      return { page: "carriers" };
    case "bench":
      return { page: "bench" };
    case "conversations":
      return second ? { page: "conversation", id: second } : { page: "conversations" };
    case "gaps":
      return { page: "gaps" };
    case "analytics":
      return { page: "analytics" };
    case "handoffs":
      return { page: "handoffs", id: second ?? null };
    case "callbacks":
      return { page: "callbacks" };
    case "users":
      return { page: "users" };
    case "audit":
      return { page: "audit" };
    default:
      return { page: "faqs" };
  }
}

export function routePath(route: Route): string {
  switch (route.page) {
    case "faq":
      return `${BASE}/faqs/${encodeURIComponent(route.key)}`;
    case "new-faq":
      return `${BASE}/faqs/new`;
    case "conversation":
      return `${BASE}/conversations/${encodeURIComponent(route.id)}`;
    case "handoffs":
      return route.id ? `${BASE}/handoffs/${encodeURIComponent(route.id)}` : `${BASE}/handoffs`;
    default:
      return `${BASE}/${route.page}`;
  }
}

const CHANGE = "mnp-admin-navigate";

let leaveWarning: string | null = null;

/** While set, moving to another console page first asks the operator to confirm (unsaved changes). */
export function setLeaveWarning(message: string | null): void {
  leaveWarning = message;
}

export function navigate(path: string, state: unknown = null): void {
  if (leaveWarning !== null) {
    if (!window.confirm(leaveWarning)) return;
    leaveWarning = null;
  }
  window.history.pushState(state, "", path);
  window.dispatchEvent(new Event(CHANGE));
}

export interface Location {
  path: string;
  search: string;
  state: unknown;
}

function readLocation(): Location {
  return {
    path: window.location.pathname,
    search: window.location.search,
    state: window.history.state as unknown,
  };
}

export function useLocation(): Location {
  const [location, setLocation] = useState(readLocation);
  useEffect(() => {
    const update = () => setLocation(readLocation());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return location;
}
