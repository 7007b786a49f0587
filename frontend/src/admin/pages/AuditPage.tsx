import { useMemo, useState } from "react";
import { type AuditEntry, type AuditFilter, UsersApi } from "../api/users";
import { ErrorNote, Loading } from "../components/common";
import { operatorMessage, useConsole, useLoad } from "../context";
import { AUDIT_ACTION_LABELS, formatDateTime, label } from "../format";

const PAGE_SIZE = 50;

function details(entry: AuditEntry): string {
  return Object.entries(entry.details)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join("、");
}

export function AuditPage() {
  const { api } = useConsole();
  const users = useMemo(() => new UsersApi(api.http), [api]);
  const people = useLoad(() => users.list(), "users");
  const [filter, setFilter] = useState<AuditFilter>({});
  const first = useLoad(() => users.auditLog({ ...filter, limit: PAGE_SIZE }), JSON.stringify(filter));
  const [more, setMore] = useState<{ key: string; items: AuditEntry[]; next: number | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);
  const extra = more?.key === key ? more : null;
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.next : (first.data?.nextBeforeId ?? null);
  const names = new Map((people.data?.items ?? []).map((person) => [person.id, person.displayName]));
  const change = (patch: Partial<AuditFilter>) => setFilter((current) => ({ ...current, ...patch }));
  const loadMore = async () => {
    if (next === null) return;
    try {
      const page = await users.auditLog({ ...filter, beforeId: next, limit: PAGE_SIZE });
      setMore({ key, items: [...(extra?.items ?? []), ...page.items], next: page.nextBeforeId });
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">監査ログ</h1>
      <p className="muted small">ログイン、設定やFAQの変更、会話や連絡先の閲覧などの記録です（新しい順）。</p>
      <div className="filters">
        <label>
          操作者
          <select
            aria-label="操作者"
            value={filter.actorId ?? ""}
            onChange={(event) => change({ actorId: event.target.value || undefined })}
          >
            <option value="">すべて</option>
            {(people.data?.items ?? []).map((person) => (
              <option key={person.id} value={person.id}>
                {person.displayName}（{person.email}）
              </option>
            ))}
          </select>
        </label>
        <label>
          操作
          <select
            aria-label="操作"
            value={filter.action ?? ""}
            onChange={(event) => change({ action: event.target.value || undefined })}
          >
            <option value="">すべて</option>
            {Object.entries(AUDIT_ACTION_LABELS).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label>
          開始日
          <input
            type="date"
            value={filter.from ?? ""}
            onChange={(event) => change({ from: event.target.value || undefined })}
          />
        </label>
        <label>
          終了日
          <input
            type="date"
            value={filter.to ?? ""}
            onChange={(event) => change({ to: event.target.value || undefined })}
          />
        </label>
      </div>
      <ErrorNote message={error ?? first.error} />
      <Loading show={first.loading && !first.data} />
      {first.data && items.length === 0 && <p>条件に合う記録はありません。</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">日時</th>
                <th scope="col">操作者</th>
                <th scope="col">操作</th>
                <th scope="col">対象</th>
                <th scope="col">詳細</th>
                <th scope="col">接続元</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.createdAt)}</td>
                  <td>
                    {entry.actorId ? (names.get(entry.actorId) ?? "（削除されたユーザー）") : "システム"}
                  </td>
                  <td>{label(AUDIT_ACTION_LABELS, entry.action)}</td>
                  <td className="small">
                    {[entry.targetType, entry.targetId].filter(Boolean).join(" ") || "—"}
                  </td>
                  <td className="small">{details(entry) || "—"}</td>
                  <td className="small">{entry.clientAddress ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && (
        <div className="pager">
          <button type="button" onClick={loadMore}>
            さらに古い記録を表示
          </button>
        </div>
      )}
    </section>
  );
}
