// Wire types of the console's API (auth, knowledge, insights), as the backend serialises them. Those that
// describe REST bodies exactly are aliases of the types generated from the OpenAPI document (generated.ts,
// `make api-types`); the rest narrow them for the screens.

import type { components } from "../../api/generated";

export type Role = "admin" | "operator" | "viewer";

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  isActive: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "bearer";
  expiresIn: number;
  /** The console signs out after this many seconds without use; the server ends the sign-in too. */
  idleTimeoutSeconds?: number;
  user: User;
}

export interface FaqSource {
  title: string;
  url?: string | null;
  date?: string | null;
}

export interface FaqEntry {
  id: string;
  slug: string;
  category: string;
  question: string;
  answer: string;
  alternates: string[];
  keywords: string[];
  brands: string[];
  factIds: string[];
  sources: FaqSource[];
  asOf: string;
  verification: string;
  verified: boolean;
  officialUrl: string | null;
  validFrom: string | null;
  validUntil: string | null;
  isPublished: boolean;
  /** After a write: the publish review it waits in (an operator's publication), else null or absent. */
  pendingReviewId?: string | null;
}

/** What POST/PUT /api/admin/faqs accept (the read shape minus the read-only fields). */
export type FaqWrite = Omit<FaqEntry, "id" | "verified" | "pendingReviewId">;

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type ImportReport = components["schemas"]["ImportReportRead"];

type Schemas = components["schemas"];

export type Verification = Schemas["Fee"]["verification"];
export type ChannelKind = Schemas["PortOutChannel"]["channel"];
export type KnowledgeSource = Schemas["Source"];
export type PortOutChannel = Schemas["PortOutChannel"];
export type Fee = Schemas["Fee"];
export type OneStop = Schemas["OneStop"];
export type ReservationRequirement = Schemas["ReservationRequirement"];
export type GroupMove = Schemas["GroupMove"];
/** One brand of the carrier table, as GET /api/carriers returns it and PUT /api/admin/carriers/{id} takes it. */
export type CarrierDocument = Schemas["CarrierDocument"];
export type Carrier = Schemas["CarrierRead"];

export type TryRanked = Schemas["TryRanked"];
export type TryResponse = Schemas["TryResponse"];

export interface Conversation {
  id: string;
  channel: string;
  status: string;
  createdAt: string;
  lastMessageAt: string;
  turns: number;
  handoff: boolean;
  minConfidence: number | null;
  thumbsUp: number;
  thumbsDown: number;
  /** The customer's first message (masked, at most 80 characters). */
  firstQuestion?: string | null;
}

export interface TranscriptMessage {
  id: string;
  role: string;
  text: string;
  mode: string | null;
  confidence: number | null;
  sources: { faqId: string; question: string }[];
  quickReplies: string[];
  handoff: boolean;
  latencyMs: number | null;
  createdAt: string;
  feedback: { rating: string; comment: string | null } | null;
}

export interface Transcript {
  conversation: Conversation;
  messages: TranscriptMessage[];
  handoffs: {
    id: string;
    reason: string;
    status: string;
    createdAt: string;
    claimedAt: string | null;
    resolvedAt: string | null;
  }[];
}

export interface Gap {
  key: string;
  question: string;
  variants: string[];
  count: number;
  conversations: number;
  lastSeen: string;
  reasons: Record<string, number>;
  candidate: { id: string; slug: string; question: string; category: string; confidence: number } | null;
}

export interface GapList {
  items: Gap[];
  from: string;
  to: string;
}

export interface FaqDraft {
  draft: Partial<FaqWrite> & Record<string, unknown>;
  gap: Gap;
  missing: string[];
}

export interface Day {
  date: string | null;
  conversations: number;
  turns: number;
  resolved: number;
  resolutionRate: number | null;
  handoffs: number;
  handoffRate: number | null;
  thumbsUp: number;
  thumbsDown: number;
  feedbackRatio: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface Analytics {
  from: string;
  to: string;
  timezone: string;
  days: Day[];
  totals: Day;
  modes: Record<string, number>;
  topQuestions: { question: string; count: number }[];
}
