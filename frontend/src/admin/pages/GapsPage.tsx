import { useState } from "react";
import type { Gap } from "../api/types";
import { Badge, ErrorNote, Link, Loading } from "../components/common";
import { DayWindowSelect, useDayWindow } from "../components/DayWindow";
import { canEdit, operatorMessage, useConsole, useLoad } from "../context";
import { formatDateTime, percent } from "../format";
import { BASE, navigate, routePath } from "../router";

export const REASON_LABELS: Record<string, string> = {
  no_answer: "回答できず",
  clarify: "聞き返し",
  handoff: "有人対応へ",
  out_of_scope: "対象外",
  low_confidence: "低い信頼度",
  thumbs_down: "低評価",
};

function GapRow({ gap, window }: { gap: Gap; window: { from: string; to: string } }) {
  const { api, user } = useConsole();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const draft = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.draftFaq(gap.key, window);
      navigate(`${BASE}/faqs/new`, { draft: result.draft, missing: result.missing });
    } catch (caught) {
      setError(operatorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <li className="gap">
      <div className="gap-head">
        <strong>{gap.question}</strong>
        <span className="muted small">
          {gap.count} 回・{gap.conversations} 会話・最終 {formatDateTime(gap.lastSeen)}
        </span>
      </div>
      <div className="gap-reasons">
        {Object.entries(gap.reasons).map(([reason, count]) => (
          <Badge key={reason} tone={reason === "thumbs_down" ? "bad" : "warn"}>
            {REASON_LABELS[reason] ?? reason} {count}
          </Badge>
        ))}
      </div>
      {gap.variants.length > 1 && (
        <details>
          <summary>ほかの聞き方（{gap.variants.length - 1}）</summary>
          <ul>
            {gap.variants.slice(1).map((variant) => (
              <li key={variant}>{variant}</li>
            ))}
          </ul>
        </details>
      )}
      {gap.candidate && (
        <p className="small">
          近いFAQ:{" "}
          <Link to={routePath({ page: "faq", key: gap.candidate.slug })}>{gap.candidate.question}</Link>
          （信頼度 {percent(gap.candidate.confidence)}）
        </p>
      )}
      {canEdit(user) && (
        <button type="button" disabled={busy} onClick={draft}>
          このFAQを作る
        </button>
      )}
      <ErrorNote message={error} />
    </li>
  );
}

export function GapsPage() {
  const { api } = useConsole();
  const period = useDayWindow();
  const window = period.range;
  const gaps = useLoad(() => api.listGaps(window), `${window.from}:${window.to}`);

  return (
    <section aria-labelledby="gaps-title">
      <h1 id="gaps-title">未解決の質問</h1>
      <p className="muted">
        回答できなかった質問、信頼度の低い回答、低評価（👎）がついた回答を、同じ質問ごとにまとめています。
      </p>
      <div className="filters">
        <DayWindowSelect window={period} />
      </div>
      <ErrorNote message={gaps.error} />
      <Loading show={gaps.loading && !gaps.data} />
      {gaps.data && gaps.data.items.length === 0 && <p>この期間に未解決の質問はありません。</p>}
      {gaps.data && (
        <ul className="gaps">
          {gaps.data.items.map((gap) => (
            <GapRow key={gap.key} gap={gap} window={window} />
          ))}
        </ul>
      )}
    </section>
  );
}
