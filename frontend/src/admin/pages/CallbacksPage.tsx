import { useMemo, useState } from "react";
import { type Contact, HandoffApi } from "../api/handoff";
import { ErrorNote, Loading } from "../components/common";
import { canEdit, operatorMessage, useConsole, useLoad } from "../context";
import { formatDateTime } from "../format";
import { useLive } from "../live";
import { CHANNELS, REASONS } from "../templates";

export function CallbacksPage() {
  const { api, user } = useConsole();
  const live = useLive();
  const handoffs = useMemo(() => new HandoffApi(api.http), [api]);
  const [done, setDone] = useState(false);
  const [tick, setTick] = useState(0);
  const list = useLoad(() => handoffs.callbacks(done), `${done}-${live.version}-${tick}`);
  const [contacts, setContacts] = useState<Record<string, Contact>>({});
  const [error, setError] = useState<string | null>(null);
  const reveal = async (id: string) => {
    try {
      const contact = await handoffs.contact(id);
      setContacts((known) => ({ ...known, [id]: contact }));
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  const markDone = async (id: string) => {
    try {
      await handoffs.callbackDone(id);
      setTick((value) => value + 1);
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  return (
    <section aria-labelledby="callbacks-title">
      <h1 id="callbacks-title">折り返し依頼</h1>
      <p className="muted small">
        連絡先は暗号化して保存されています。表示するたびに監査ログに記録されます。
      </p>
      <label className="inline">
        <input type="checkbox" checked={done} onChange={(event) => setDone(event.target.checked)} />
        対応済みを表示
      </label>
      <ErrorNote message={error ?? list.error} />
      <Loading show={list.loading && !list.data} />
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">受付</th>
            <th scope="col">理由</th>
            <th scope="col">経路</th>
            <th scope="col">連絡先</th>
            <th scope="col">操作</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((item) => {
            const contact = contacts[item.id];
            return (
              <tr key={item.id}>
                <td>{formatDateTime(item.requestedAt)}</td>
                <td>{REASONS[item.reason] ?? item.reason}</td>
                <td>{CHANNELS[item.channel] ?? item.channel}</td>
                <td>
                  {contact ? (
                    <span className="contact">
                      {contact.method === "phone" ? "電話" : "メール"}: {contact.value}
                      {contact.preferredTime ? `（希望: ${contact.preferredTime}）` : ""}
                    </span>
                  ) : canEdit(user) ? (
                    <button type="button" onClick={() => void reveal(item.id)}>
                      連絡先を表示
                    </button>
                  ) : (
                    "（閲覧権限では表示できません）"
                  )}
                </td>
                <td>
                  {item.doneAt
                    ? `対応済み ${formatDateTime(item.doneAt)}`
                    : canEdit(user) && (
                        <button type="button" onClick={() => void markDone(item.id)}>
                          対応済みにする
                        </button>
                      )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
