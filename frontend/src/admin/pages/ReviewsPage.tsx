import { useMemo, useState } from "react";
import { type FaqReview, ReviewApi, type ReviewStatus } from "../api/reviews";
import type { FaqEntry } from "../api/types";
import { Badge, ErrorNote, Link, Loading, Notice } from "../components/common";
import { operatorMessage, useConsole, useLoad } from "../context";
import { formatDateTime } from "../format";
import { routePath } from "../router";

const STATUS_LABELS: Record<ReviewStatus, string> = {
  pending: "承認待ち",
  approved: "承認済み",
  rejected: "差し戻し",
  superseded: "取り下げ（再依頼あり）",
};

/** The answer's change, removed text struck through and added text marked. */
export function AnswerDiff({ review }: { review: FaqReview }) {
  return (
    <section className="review-diff" aria-label="回答の変更点">
      {review.diff.map((part, index) => {
        const key = `${index}-${part.op}`;
        if (part.op === "delete") return <del key={key}>{part.text}</del>;
        if (part.op === "insert") return <ins key={key}>{part.text}</ins>;
        return <span key={key}>{part.text}</span>;
      })}
    </section>
  );
}

function ReviewCard({ review, onDecided }: { review: FaqReview; onDecided: (message: string) => void }) {
  const { api, user } = useConsole();
  const reviews = useMemo(() => new ReviewApi(api.http), [api]);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (verdict: "approve" | "reject") => {
    setBusy(true);
    setError(null);
    try {
      if (verdict === "approve") await reviews.approve(review.id);
      else await reviews.reject(review.id, reason);
      onDecided(verdict === "approve" ? "承認しました。ボットの回答に反映されます。" : "差し戻しました。");
    } catch (caught) {
      setError(operatorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const canDecide = user.role === "admin" && review.status === "pending";
  return (
    <article className="review-card" aria-label={`承認依頼: ${review.question}`}>
      <h2>
        <Link to={routePath({ page: "faq", key: review.slug })}>{review.question}</Link>{" "}
        <Badge tone={review.status === "pending" ? "warn" : "plain"}>{STATUS_LABELS[review.status]}</Badge>
      </h2>
      <p className="muted small">
        {review.slug}・依頼: {review.requestedBy ?? "削除されたユーザー"}（
        {formatDateTime(review.requestedAt)}）{review.wasPublished ? "・公開中の回答の変更" : "・新規公開"}
        {review.fields.length > 0 && `・変更項目: ${review.fields.join(", ")}`}
      </p>
      {review.stale && <p className="admin-error">依頼のあとでこのFAQが変更されたため、承認できません。</p>}
      <AnswerDiff review={review} />
      {review.reason && <p>差し戻しの理由: {review.reason}</p>}
      {review.decidedBy && (
        <p className="muted small">
          {review.decidedBy}（{formatDateTime(review.decidedAt)}）
        </p>
      )}
      <ErrorNote message={error} />
      {canDecide && (
        <div className="review-actions">
          <button
            type="button"
            className="primary"
            disabled={busy || review.stale}
            onClick={() => decide("approve")}
          >
            承認して公開
          </button>
          <label>
            差し戻しの理由
            <textarea value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
          </label>
          <button type="button" disabled={busy || reason.trim() === ""} onClick={() => decide("reject")}>
            差し戻す
          </button>
        </div>
      )}
    </article>
  );
}

export function ReviewsPage() {
  const { api, user } = useConsole();
  const reviews = useMemo(() => new ReviewApi(api.http), [api]);
  const [status, setStatus] = useState<ReviewStatus>("pending");
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLoad(() => reviews.list(status), status);
  const decided = (message: string) => {
    setNotice(message);
    list.reload();
  };
  return (
    <section aria-labelledby="reviews-title">
      <div className="page-head">
        <h1 id="reviews-title">FAQの承認</h1>
      </div>
      <p className="muted">
        {user.role === "admin"
          ? "オペレーターが公開を依頼したFAQです。内容を確認して承認すると、ボットの回答に反映されます。"
          : "公開を依頼したFAQは、管理者が承認するまでボットの回答に使われません。"}
      </p>
      <label>
        状態
        <select value={status} onChange={(event) => setStatus(event.target.value as ReviewStatus)}>
          {Object.entries(STATUS_LABELS).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <Notice message={notice} />
      <ErrorNote message={list.error} />
      <Loading show={list.loading && !list.data} />
      {list.data?.items.length === 0 && <p className="muted">該当する依頼はありません。</p>}
      {list.data?.items.map((review) => (
        <ReviewCard key={review.id} review={review} onDecided={decided} />
      ))}
    </section>
  );
}

/** Ids of the FAQ entries waiting for approval (none for viewers, who cannot see reviews). */
export function usePendingReviews(): Set<string> {
  const { api, user } = useConsole();
  const allowed = user.role !== "viewer";
  const pending = useLoad(
    () => (allowed ? new ReviewApi(api.http).list("pending") : Promise.resolve({ items: [] })),
    `pending-${allowed}`,
  );
  return new Set((pending.data?.items ?? []).map((review) => review.faqId));
}

/** What the FAQ editor says after a save: live at once, or waiting for an admin (承認待ち). */
export function savedNotice(saved: FaqEntry): string {
  return saved.pendingReviewId
    ? "保存しました（承認待ち）。管理者が承認するまで、ボットは以前の内容で回答します。"
    : "保存しました。ボットの回答にすぐ反映されます。";
}
