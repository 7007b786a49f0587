import { type FormEvent, useRef, useState } from "react";
import type { FileFormat } from "../api/endpoints";
import { canEdit, operatorMessage, useConsole } from "../context";
import { ErrorNote, Notice } from "./common";

const FORMATS: FileFormat[] = ["yaml", "json", "csv"];
const NAMES = { faqs: "FAQ", carriers: "事業者データ" } as const;

export function formatOfFile(name: string): FileFormat | null {
  const extension = name.toLowerCase().split(".").pop() ?? "";
  if (extension === "yml" || extension === "yaml") return "yaml";
  if (extension === "json") return "json";
  if (extension === "csv") return "csv";
  return null;
}

function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = filename;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Export and import of the FAQ or carrier file (dry run first, then for real). */
export function FileTransfer({ kind, onImported }: { kind: "faqs" | "carriers"; onImported: () => void }) {
  const { api, user } = useConsole();
  const [format, setFormat] = useState<FileFormat>("yaml");
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const download = async () => {
    setError(null);
    try {
      saveBlob(await api.exportFile(kind, format), `${kind}.${format}`);
      setNotice(`${NAMES[kind]}を ${format.toUpperCase()} で書き出しました。`);
    } catch (caught) {
      setError(operatorMessage(caught));
    }
  };

  const upload = async (event: FormEvent, dryRun: boolean) => {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    setError(null);
    setNotice(null);
    if (!file) {
      setError("読み込むファイルを選んでください。");
      return;
    }
    const fileFormat = formatOfFile(file.name);
    if (!fileFormat) {
      setError("YAML・JSON・CSV のファイルを選んでください。");
      return;
    }
    setBusy(true);
    try {
      const report = await api.importFile(kind, fileFormat, file, dryRun);
      const counts = `全${report.total}件（新規 ${report.created}・更新 ${report.updated}・変更なし ${report.unchanged}）`;
      setNotice(dryRun ? `確認のみ：${counts}。問題はありません。` : `読み込みました：${counts}`);
      if (!dryRun) onImported();
    } catch (caught) {
      setError(operatorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-label={`${NAMES[kind]}の書き出し・読み込み`}>
      <h2>{NAMES[kind]}の書き出し・読み込み</h2>
      <div className="row">
        <label>
          形式
          <select value={format} onChange={(event) => setFormat(event.target.value as FileFormat)}>
            {FORMATS.map((value) => (
              <option key={value} value={value}>
                {value.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={download}>
          書き出す
        </button>
      </div>
      {canEdit(user) && (
        <form className="row" onSubmit={(event) => upload(event, false)}>
          <label>
            ファイル
            <input ref={fileInput} type="file" accept=".yaml,.yml,.json,.csv" />
          </label>
          <button type="button" disabled={busy} onClick={(event) => upload(event, true)}>
            確認だけする
          </button>
          <button type="submit" disabled={busy}>
            読み込む
          </button>
        </form>
      )}
      <ErrorNote message={error} />
      <Notice message={notice} />
    </section>
  );
}
