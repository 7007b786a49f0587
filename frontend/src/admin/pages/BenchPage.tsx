import { type FormEvent, useState } from "react";
import type { TryResponse } from "../api/types";
import { Badge, ErrorNote, Link } from "../components/common";
import { operatorMessage, useConsole } from "../context";
import { label, MODE_LABELS, percent, score } from "../format";
import { routePath } from "../router";

export function BenchPage() {
  const { api } = useConsole();
  const [question, setQuestion] = useState("");
  const [result, setResult] = useState<TryResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    if (!question.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await api.tryQuestion(question.trim(), 10));
    } catch (caught) {
      setError(operatorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="bench-title">
      <h1 id="bench-title">質問を試す</h1>
      <p className="muted">
        お客さまと同じ質問を入力すると、検索の順位とボットの返答を確認できます（会話は記録されません）。
      </p>
      <form className="bench-form" onSubmit={ask}>
        <label>
          質問
          <input
            value={question}
            onChange={(event) => setQuestion(event.target.value)}
            maxLength={1000}
            placeholder="例: ドコモからahamoに乗り換えるには？"
          />
        </label>
        <button type="submit" className="primary" disabled={busy || !question.trim()}>
          {busy ? "確認中…" : "試す"}
        </button>
      </form>
      <ErrorNote message={error} />
      {result && (
        <div className="bench-result">
          <section className="panel" aria-labelledby="bench-reply">
            <h2 id="bench-reply">ボットの返答</h2>
            <p className="meta">
              <Badge tone="plain">{label(MODE_LABELS, result.reply.mode)}</Badge> 信頼度{" "}
              {percent(result.reply.confidence)}
              {result.reply.handoff && <Badge tone="warn">有人対応へ</Badge>}
            </p>
            <p className="reply-text" data-testid="bench-reply-text">
              {result.reply.text}
            </p>
            {result.reply.sources.length > 0 && (
              <p className="small">
                出典: {result.reply.sources.map((source) => source.question).join(" / ")}
              </p>
            )}
            {result.reply.quickReplies.length > 0 && (
              <p className="small">選択肢: {result.reply.quickReplies.join(" / ")}</p>
            )}
            <p className="muted small">
              検索語: {result.query}（回答 ≥ {score(result.thresholds.answer)}、聞き返し ≥{" "}
              {score(result.thresholds.clarify)}）
            </p>
          </section>
          <section className="panel" aria-labelledby="bench-ranking">
            <h2 id="bench-ranking">検索の順位</h2>
            <div className="table-wrap">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">順位</th>
                    <th scope="col">FAQ</th>
                    <th scope="col">スコア</th>
                    <th scope="col">信頼度</th>
                    <th scope="col">一致した語</th>
                  </tr>
                </thead>
                <tbody>
                  {result.ranking.map((row) => (
                    <tr key={row.entry.id}>
                      <td>{row.rank}</td>
                      <td>
                        <Link to={routePath({ page: "faq", key: row.entry.slug })}>{row.entry.question}</Link>
                      </td>
                      <td>{score(row.hit.score)}</td>
                      <td>{percent(row.hit.confidence)}</td>
                      <td className="small">{row.hit.matchedTerms.join("、")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {result.ranking.length === 0 && <p>一致するFAQはありませんでした。</p>}
          </section>
        </div>
      )}
    </section>
  );
}
