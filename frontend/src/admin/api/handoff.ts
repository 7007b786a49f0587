// Types and calls of the hand-off console API (/api/admin/handoffs, operators, callbacks, settings).

import type { AdminHttp } from "./http";

export type PresenceStatus = "online" | "away" | "offline";
export type HandoffStatus = "waiting" | "active" | "resolved" | "abandoned" | "missed";

export interface Presence {
  userId: string;
  displayName: string;
  role: string;
  status: PresenceStatus;
  capacity: number;
  active: number;
}

export interface HandoffItem {
  id: string;
  conversationId: string;
  reason: string;
  channel: string;
  status: HandoffStatus;
  waitingSeconds: number;
  operator: string | null;
  operatorId: string | null;
  outcome: string | null;
  preview: string | null;
  queuedAt: string;
  claimedAt: string | null;
  resolvedAt: string | null;
  callbackRequested: boolean;
}

export interface TranscriptMessage {
  id: string;
  role: string;
  text: string;
  mode: string | null;
  author: string | null;
  createdAt: string;
}

export interface HandoffNote {
  id: string;
  kind: string;
  text: string;
  author: string | null;
  createdAt: string;
}

export interface HandoffDetail {
  handoff: HandoffItem;
  messages: TranscriptMessage[];
  notes: HandoffNote[];
}

export interface Callback {
  id: string;
  conversationId: string;
  reason: string;
  channel: string;
  status: string;
  requestedAt: string;
  doneAt: string | null;
}

export interface Contact {
  method: "phone" | "email";
  value: string;
  preferredTime: string | null;
}

export interface HandoffSettings {
  hours: string;
  holidays: string[];
  capacity: number;
  reclaimSeconds: number;
  abandonSeconds: number;
}

export interface HandoffDay {
  date: string;
  requests: number;
  abandoned: number;
  missed: number;
  waitP50Seconds: number | null;
  firstResponseP50Seconds: number | null;
}

export interface HandoffStats {
  from: string;
  to: string;
  timezone: string;
  waiting: number;
  requests: number;
  resolved: number;
  abandoned: number;
  missed: number;
  waitP50Seconds: number | null;
  waitP90Seconds: number | null;
  firstResponseP50Seconds: number | null;
  firstResponseP90Seconds: number | null;
  days: HandoffDay[];
  operators: { operator: string; conversations: number; resolved: number }[];
}

export interface FaqHit {
  id: string;
  question: string;
  answer: string;
  score: number;
}

const enc = encodeURIComponent;
const base = (id: string) => `/api/admin/handoffs/${enc(id)}`;

export class HandoffApi {
  constructor(readonly http: AdminHttp) {}

  setPresence(status: PresenceStatus): Promise<Presence> {
    return this.http.json({ method: "PUT", path: "/api/admin/operators/me/presence", json: { status } });
  }

  myPresence(): Promise<Presence> {
    return this.http.json({ method: "GET", path: "/api/admin/operators/me/presence" });
  }

  operators(): Promise<{ items: Presence[] }> {
    return this.http.json({ method: "GET", path: "/api/admin/operators" });
  }

  list(status: "waiting" | "active" | "resolved"): Promise<{ items: HandoffItem[] }> {
    return this.http.json({ method: "GET", path: "/api/admin/handoffs", query: { status } });
  }

  get(id: string): Promise<HandoffDetail> {
    return this.http.json({ method: "GET", path: base(id) });
  }

  claim(id: string): Promise<HandoffItem> {
    return this.http.json({ method: "POST", path: `${base(id)}/claim` });
  }

  reply(id: string, text: string): Promise<TranscriptMessage> {
    return this.http.json({ method: "POST", path: `${base(id)}/messages`, json: { text } });
  }

  resolve(id: string, outcome: string, note?: string): Promise<HandoffItem> {
    return this.http.json({
      method: "POST",
      path: `${base(id)}/resolve`,
      json: { outcome, ...(note ? { note } : {}) },
    });
  }

  release(id: string): Promise<HandoffItem> {
    return this.http.json({ method: "POST", path: `${base(id)}/release` });
  }

  transfer(id: string, operatorId: string): Promise<HandoffItem> {
    return this.http.json({ method: "POST", path: `${base(id)}/transfer`, json: { operatorId } });
  }

  addNote(id: string, text: string): Promise<HandoffNote> {
    return this.http.json({ method: "POST", path: `${base(id)}/notes`, json: { text } });
  }

  callbacks(done: boolean): Promise<{ items: Callback[] }> {
    return this.http.json({ method: "GET", path: "/api/admin/callbacks", query: { done } });
  }

  contact(id: string): Promise<Contact> {
    return this.http.json({ method: "GET", path: `/api/admin/callbacks/${enc(id)}/contact` });
  }

  callbackDone(id: string): Promise<Callback> {
    return this.http.json({ method: "POST", path: `/api/admin/callbacks/${enc(id)}/done` });
  }

  settings(): Promise<HandoffSettings> {
    return this.http.json({ method: "GET", path: "/api/admin/handoff-settings" });
  }

  saveSettings(settings: Partial<HandoffSettings>): Promise<HandoffSettings> {
    return this.http.json({ method: "PUT", path: "/api/admin/handoff-settings", json: settings });
  }

  stats(window: { from?: string; to?: string }): Promise<HandoffStats> {
    return this.http.json({ method: "GET", path: "/api/admin/handoff-stats", query: { ...window } });
  }

  searchFaqs(q: string): Promise<{ results: FaqHit[] }> {
    return this.http.json({ method: "GET", path: "/api/faqs/search", query: { q, limit: 5 } });
  }
}
