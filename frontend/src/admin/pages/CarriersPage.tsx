import { useEffect, useRef, useState } from "react";
import type { Carrier } from "../api/types";
import { ErrorNote, Loading, Notice } from "../components/common";
import { FileTransfer } from "../components/FileTransfer";
import { canEdit, operatorMessage, useConsole, useLoad } from "../context";

const KIND_LABELS: Record<string, string> = {
  mno: "キャリア",
  sub_brand: "サブブランド",
  online_brand: "オンライン専用",
  mvno: "MVNO",
};

/** The carrier document as JSON text, parsed back; an error message when it is not a JSON object. */
export function parseCarrierDocument(
  text: string,
): { document: Record<string, unknown> } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { error: "JSONオブジェクト（{ … }）で入力してください。" };
    }
    return { document: value as Record<string, unknown> };
  } catch (caught) {
    return { error: `JSONとして読めません: ${caught instanceof Error ? caught.message : ""}` };
  }
}

function CarrierEditor({ carrier, onSaved }: { carrier: Carrier; onSaved: () => void }) {
  const { api, user } = useConsole();
  const [text, setText] = useState(() => JSON.stringify(carrier.document, null, 2));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  // Open where the operator is looking: the editor sits below the table, so bring it into view.
  useEffect(() => {
    editor.current?.scrollIntoView?.({ block: "start" });
    input.current?.focus({ preventScroll: true });
  }, []);

  const save = async () => {
    setError(null);
    setNotice(null);
    const parsed = parseCarrierDocument(text);
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    try {
      await api.putCarrier(carrier.id, parsed.document);
      setNotice("保存しました。ボットの回答にすぐ反映されます。");
      onSaved();
    } catch (caught) {
      setError(operatorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="carrier-editor" ref={editor}>
      <label>
        {carrier.name} のデータ（JSON）
        <textarea
          ref={input}
          rows={18}
          spellCheck={false}
          value={text}
          readOnly={!canEdit(user)}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      <ErrorNote message={error} />
      <Notice message={notice} />
      {canEdit(user) && (
        <button type="button" className="primary" disabled={busy} onClick={save}>
          {carrier.name} を保存
        </button>
      )}
    </div>
  );
}

export function CarriersPage() {
  const { api } = useConsole();
  const carriers = useLoad(() => api.listCarriers(), "carriers");
  const [open, setOpen] = useState<string | null>(null);

  return (
    <section aria-labelledby="carriers-title">
      <h1 id="carriers-title">事業者データ</h1>
      <p className="muted">
        窓口・手数料・ワンストップ対応などの事業者ごとのデータです。保存するとすぐ反映されます。
      </p>
      <ErrorNote message={carriers.error} />
      <Loading show={carriers.loading && !carriers.data} />
      {carriers.data && (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">名前</th>
                <th scope="col">ID</th>
                <th scope="col">グループ</th>
                <th scope="col">種別</th>
                <th scope="col">情報の時点</th>
                <th scope="col">
                  <span className="visually-hidden">操作</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {carriers.data.items.map((carrier) => (
                <tr key={carrier.id}>
                  <td>{carrier.name}</td>
                  <td>{carrier.id}</td>
                  <td>{carrier.group}</td>
                  <td>{KIND_LABELS[carrier.kind] ?? carrier.kind}</td>
                  <td>{carrier.asOf}</td>
                  <td>
                    <button
                      type="button"
                      aria-expanded={open === carrier.id}
                      onClick={() => setOpen(open === carrier.id ? null : carrier.id)}
                    >
                      {open === carrier.id ? "閉じる" : "編集"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {carriers.data?.items
        .filter((carrier) => carrier.id === open)
        .map((carrier) => (
          <CarrierEditor key={carrier.id} carrier={carrier} onSaved={carriers.reload} />
        ))}
      <FileTransfer kind="carriers" onImported={carriers.reload} />
    </section>
  );
}
