// Wire types of the console's API (auth, knowledge, insights), as the backend serialises them.

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

export interface ImportReport {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

export type Verification = "official" | "press" | "secondary" | "unverified";
export type ChannelKind = "web" | "phone" | "shop";

export interface KnowledgeSource {
  title: string;
  url?: string | null;
  date?: string | null;
}

export interface PortOutChannel {
  channel: ChannelKind;
  name: string;
  phoneNumbers?: string[];
  hours?: string | null;
  note?: string | null;
  url?: string | null;
  verification: Verification;
  sources?: KnowledgeSource[];
}

export interface Fee {
  name: string;
  channel?: ChannelKind | null;
  amountYen?: number | null;
  text: string;
  asOf: string;
  verification: Verification;
  sources?: KnowledgeSource[];
}

export interface OneStop {
  participates?: boolean | null;
  since?: string | null;
  note?: string | null;
  verification: Verification;
  sources?: KnowledgeSource[];
}

export interface ReservationRequirement {
  channel: ChannelKind;
  minDaysLeft?: number | null;
  text: string;
  verification: Verification;
  sources?: KnowledgeSource[];
}

export interface GroupMove {
  to: string;
  kind: "plan_change" | "number_transfer" | "brand_switch";
  note: string;
  verification: Verification;
  sources?: KnowledgeSource[];
}

/** One brand of the carrier table, as GET /api/carriers returns it and PUT /api/admin/carriers/{id} takes it. */
export interface CarrierDocument {
  id: string;
  name: string;
  group: string;
  kind: "mno" | "sub_brand" | "online_brand" | "mvno";
  aliases: string[];
  officialUrl: string;
  mnpPageUrl?: string | null;
  portOut?: PortOutChannel[];
  acceptsShopSignup?: boolean | null;
  shopSignupVerification?: Verification | null;
  shopSignupSources?: KnowledgeSource[];
  oneStop: OneStop;
  fees?: Fee[];
  reservationRequirements?: ReservationRequirement[];
  groupMoves?: GroupMove[];
  afterSwitch?: string[];
  carrierMail?: string | null;
  billingNote?: string | null;
  asOf: string;
  sources?: KnowledgeSource[];
}

export interface Carrier {
  id: string;
  name: string;
  group: string;
  kind: string;
  aliases: string[];
  asOf: string;
  document: CarrierDocument;
}

export interface TryRanked {
  rank: number;
  entry: { id: string; slug: string; question: string; category: string };
  hit: { score: number; confidence: number; lexical: number; brandFactor: number; matchedTerms: string[] };
}

export interface TryResponse {
  question: string;
  query: string;
  reply: {
    text: string;
    mode: string;
    confidence: number;
    sources: { faqId: string; question: string; url: string | null; verified: boolean }[];
    quickReplies: string[];
    handoff: boolean;
    handoffReason: string | null;
  };
  ranking: TryRanked[];
  knowledgeVersion: string;
  thresholds: { answer: number; clarify: number; related: number };
}

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
