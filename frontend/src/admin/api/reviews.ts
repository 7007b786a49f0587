// The publish reviews of FAQ text: an operator's publication waits here until an admin approves it.

import type { AdminHttp } from "./http";

export type ReviewStatus = "pending" | "approved" | "rejected" | "superseded";

export interface DiffPart {
  op: "equal" | "delete" | "insert";
  text: string;
}

export interface FaqReview {
  id: string;
  faqId: string;
  slug: string;
  question: string;
  status: ReviewStatus;
  wasPublished: boolean;
  /** What customers saw when the review was asked for (empty: the entry was not published). */
  currentAnswer: string;
  proposedAnswer: string;
  diff: DiffPart[];
  fields: string[];
  /** The entry changed since the request: approving is refused. */
  stale: boolean;
  requestedBy: string | null;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

const enc = encodeURIComponent;

export class ReviewApi {
  constructor(readonly http: AdminHttp) {}

  list(status: ReviewStatus = "pending"): Promise<{ items: FaqReview[] }> {
    return this.http.json({ method: "GET", path: "/api/admin/faq-reviews", query: { status } });
  }

  approve(id: string): Promise<FaqReview> {
    return this.http.json({ method: "POST", path: `/api/admin/faq-reviews/${enc(id)}/approve` });
  }

  reject(id: string, reason: string): Promise<FaqReview> {
    return this.http.json({
      method: "POST",
      path: `/api/admin/faq-reviews/${enc(id)}/reject`,
      json: { reason },
    });
  }
}
