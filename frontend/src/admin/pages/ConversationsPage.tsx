import { useState } from "react";
import type { ConversationFilter } from "../api/endpoints";
import { Badge, ErrorNote, Link, Loading, Pager } from "../components/common";
import { useConsole, useLoad } from "../context";
import { formatDateTime, percent } from "../format";
import { routePath } from "../router";
import { CHANNELS } from "../templates";

const PAGE_SIZE = 50;
const STATUS_LABELS: Record<string, string> = {
  bot: "ボット対応",
  queued: "有人対応待ち",
  operator: "オペレーター対応中",
  closed: "終了",
};

export function ConversationsPage() {
  const { api } = useConsole();
  const [handoff, setHandoff] = useState("");
  const [feedback, setFeedback] = useState("");
  const [offset, setOffset] = useState(0);
  const filter: ConversationFilter = {
    handoff: handoff === "" ? undefined : handoff === "true",
    feedback: feedback === "up" || feedback === "down" ? feedback : undefined,
    limit: PAGE_SIZE,
    offset,
  };
  const page = useLoad(() => api.listConversations(filter), JSON.stringify(filter));
  const total = page.data?.total ?? 0;

  return (
    <section aria-labelledby="conversations-title">
      <h1 id="conversations-title">会話</h1>
      <div className="filters">
        <label>
          有人対応
          <select
            value={handoff}
            onChange={(event) => {
              setOffset(0);
              setHandoff(event.target.value);
            }}
          >
            <option value="">すべて</option>
            <option value="true">あり</option>
            <option value="false">なし</option>
          </select>
        </label>
        <label>
          評価
          <select
            value={feedback}
            onChange={(event) => {
              setOffset(0);
              setFeedback(event.target.value);
            }}
          >
            <option value="">すべて</option>
            <option value="up">高評価あり</option>
            <option value="down">低評価あり</option>
          </select>
        </label>
      </div>
      <ErrorNote message={page.error} />
      <Loading show={page.loading && !page.data} />
      {page.data && (
        <>
          <p className="muted">{total} 件</p>
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">最初の質問</th>
                  <th scope="col">最終メッセージ</th>
                  <th scope="col">経路</th>
                  <th scope="col">状態</th>
                  <th scope="col">往復</th>
                  <th scope="col">最低信頼度</th>
                  <th scope="col">評価</th>
                  <th scope="col">有人対応</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((conversation) => (
                  <tr key={conversation.id}>
                    <td className="first-question">
                      <Link to={routePath({ page: "conversation", id: conversation.id })}>
                        {conversation.firstQuestion || "（質問なし）"}
                      </Link>
                    </td>
                    <td>{formatDateTime(conversation.lastMessageAt)}</td>
                    <td>{CHANNELS[conversation.channel] ?? conversation.channel}</td>
                    <td>{STATUS_LABELS[conversation.status] ?? conversation.status}</td>
                    <td>{conversation.turns}</td>
                    <td>{percent(conversation.minConfidence)}</td>
                    <td>
                      高 {conversation.thumbsUp} / 低 {conversation.thumbsDown}
                    </td>
                    <td>{conversation.handoff ? <Badge tone="warn">あり</Badge> : "なし"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} pageSize={PAGE_SIZE} total={total} onChange={setOffset} />
        </>
      )}
    </section>
  );
}
