import { Badge, ErrorNote, Link, Loading } from "../components/common";
import { useConsole, useLoad } from "../context";
import { formatDateTime, label, MODE_LABELS, millis, percent } from "../format";
import { BASE } from "../router";
import { STATUSES as HANDOFF_STATUSES, REASONS } from "../templates";

const ROLE_LABELS: Record<string, string> = {
  user: "お客さま",
  assistant: "ボット",
  operator: "オペレーター",
};

export function ConversationPage({ id }: { id: string }) {
  const { api } = useConsole();
  const transcript = useLoad(() => api.getTranscript(id), id);
  const data = transcript.data;

  return (
    <section aria-labelledby="transcript-title">
      <p>
        <Link to={`${BASE}/conversations`}>← 会話一覧へ</Link>
      </p>
      <h1 id="transcript-title">会話の記録</h1>
      <p className="muted small">個人情報は伏せ字で保存されています。閲覧は監査ログに記録されます。</p>
      <ErrorNote message={transcript.error} />
      <Loading show={transcript.loading && !data} />
      {data && (
        <>
          <p className="meta">
            開始 {formatDateTime(data.conversation.createdAt)} ・ {data.conversation.turns} 往復 ・ 高評価{" "}
            {data.conversation.thumbsUp} / 低評価 {data.conversation.thumbsDown}
            {data.conversation.handoff && <Badge tone="warn">有人対応あり</Badge>}
          </p>
          <ol className="transcript">
            {data.messages.map((message) => (
              <li key={message.id} className={`turn turn-${message.role}`}>
                <div className="turn-head">
                  <strong>{ROLE_LABELS[message.role] ?? message.role}</strong>
                  <span className="muted small">{formatDateTime(message.createdAt)}</span>
                  {message.mode && <Badge tone="plain">{label(MODE_LABELS, message.mode)}</Badge>}
                  {message.confidence !== null && (
                    <span className="small">信頼度 {percent(message.confidence)}</span>
                  )}
                  {message.latencyMs !== null && (
                    <span className="small">応答 {millis(message.latencyMs)}</span>
                  )}
                  {message.handoff && <Badge tone="warn">有人対応へ</Badge>}
                  {message.feedback && (
                    <Badge tone={message.feedback.rating === "up" ? "ok" : "bad"}>
                      {message.feedback.rating === "up"
                        ? "高評価（役に立った）"
                        : "低評価（役に立たなかった）"}
                    </Badge>
                  )}
                </div>
                <p className="turn-text">{message.text}</p>
                {message.feedback?.comment && <p className="small">コメント: {message.feedback.comment}</p>}
                {message.sources.length > 0 && (
                  <p className="small muted">
                    出典: {message.sources.map((source) => source.question).join(" / ")}
                  </p>
                )}
              </li>
            ))}
          </ol>
          {data.handoffs.length > 0 && (
            <section className="panel" aria-label="有人対応の記録">
              <h2>有人対応</h2>
              <ul>
                {data.handoffs.map((handoff) => (
                  <li key={handoff.id}>
                    {formatDateTime(handoff.createdAt)} ・ 理由: {label(REASONS, handoff.reason)} ・ 状態:{" "}
                    {label(HANDOFF_STATUSES, handoff.status)}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}
