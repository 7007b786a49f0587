import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/errors";
import type { Carrier, CarrierDocument, ChannelKind, Verification } from "../api/types";
import {
  amountOf,
  carrierProblems,
  documentFromJson,
  type FieldErrors,
  problemsByField,
} from "../carrierForm";
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

type Change = (doc: CarrierDocument) => CarrierDocument;

const VERIFICATIONS: [Verification, string][] = [
  ["official", "公式で確認"],
  ["press", "報道で確認"],
  ["secondary", "二次情報"],
  ["unverified", "未確認"],
];
const CHANNELS: [ChannelKind, string][] = [
  ["web", "Web"],
  ["phone", "電話"],
  ["shop", "店頭"],
];

function fieldId(carrier: string, path: string): string {
  return `carrier-${carrier}-${path.replace(/\./g, "-")}`;
}

interface FieldProps {
  carrier: string;
  path: string;
  label: string;
  errors: FieldErrors;
  readOnly: boolean;
}

/** One labelled input with its problem written under it (and read out as its description). */
function TextField(
  props: FieldProps & {
    value: string;
    onChange: (value: string) => void;
    type?: string;
    multiline?: boolean;
    inputMode?: "numeric" | "url";
  },
) {
  const id = fieldId(props.carrier, props.path);
  const error = props.errors[props.path];
  const common = {
    id,
    value: props.value,
    readOnly: props.readOnly,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : undefined,
  };
  return (
    <div className={`form-field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} onChange={(event) => props.onChange(event.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? "text"}
          inputMode={props.inputMode}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function SelectField(
  props: FieldProps & { value: string; options: [string, string][]; onChange: (value: string) => void },
) {
  const id = fieldId(props.carrier, props.path);
  const error = props.errors[props.path];
  return (
    <div className={`form-field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        disabled={props.readOnly}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => props.onChange(event.target.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

const orNull = (value: string): string | null => (value.trim() === "" ? null : value);
const lines = (value: string): string[] =>
  value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

function replaceAt<T>(items: T[] | undefined, index: number, item: T): T[] {
  return (items ?? []).map((old, at) => (at === index ? item : old));
}

/** The carrier's fields, grouped as an operator thinks of them. */
function CarrierFields({
  doc,
  change,
  errors,
  readOnly,
}: {
  doc: CarrierDocument;
  change: (update: Change) => void;
  errors: FieldErrors;
  readOnly: boolean;
}) {
  const base = { carrier: doc.id, errors, readOnly };
  const set = (key: keyof CarrierDocument) => (value: string) => change((d) => ({ ...d, [key]: value }));
  const setNull = (key: keyof CarrierDocument) => (value: string) =>
    change((d) => ({ ...d, [key]: orNull(value) }));
  const flag = (value: boolean | null | undefined) => (value === true ? "yes" : value === false ? "no" : "");
  const fromFlag = (value: string) => (value === "yes" ? true : value === "no" ? false : null);
  const flagOptions: [string, string][] = [
    ["", "不明"],
    ["yes", "はい"],
    ["no", "いいえ"],
  ];
  return (
    <>
      <fieldset className="carrier-group">
        <legend>基本情報</legend>
        <TextField {...base} path="name" label="表示名" value={doc.name} onChange={set("name")} />
        <TextField {...base} path="group" label="グループ" value={doc.group} onChange={set("group")} />
        <SelectField
          {...base}
          path="kind"
          label="種別"
          value={doc.kind}
          options={Object.entries(KIND_LABELS)}
          onChange={(value) => change((d) => ({ ...d, kind: value as CarrierDocument["kind"] }))}
        />
        <TextField
          {...base}
          path="aliases"
          label="呼び名（1行に1つ）"
          multiline
          value={doc.aliases.join("\n")}
          onChange={(value) => change((d) => ({ ...d, aliases: lines(value) }))}
        />
        <TextField
          {...base}
          path="officialUrl"
          label="公式サイトのURL"
          inputMode="url"
          value={doc.officialUrl}
          onChange={set("officialUrl")}
        />
        <TextField
          {...base}
          path="mnpPageUrl"
          label="MNPの案内ページのURL"
          inputMode="url"
          value={doc.mnpPageUrl ?? ""}
          onChange={setNull("mnpPageUrl")}
        />
        <TextField
          {...base}
          path="asOf"
          label="情報の時点"
          type="date"
          value={doc.asOf}
          onChange={set("asOf")}
        />
      </fieldset>

      <fieldset className="carrier-group">
        <legend>予約番号の取得</legend>
        {(doc.portOut ?? []).length === 0 && <p className="muted">窓口の登録はありません。</p>}
        {(doc.portOut ?? []).map((desk, index) => {
          const put = (patch: Partial<typeof desk>) =>
            change((d) => ({ ...d, portOut: replaceAt(d.portOut, index, { ...desk, ...patch }) }));
          const at = `portOut.${index}`;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: items are edited in place, never reordered
            <fieldset className="carrier-item" key={index}>
              <legend>{`窓口 ${index + 1}`}</legend>
              <SelectField
                {...base}
                path={`${at}.channel`}
                label="窓口の種類"
                value={desk.channel}
                options={CHANNELS}
                onChange={(value) => put({ channel: value as ChannelKind })}
              />
              <TextField
                {...base}
                path={`${at}.name`}
                label="窓口名"
                value={desk.name}
                onChange={(v) => put({ name: v })}
              />
              <TextField
                {...base}
                path={`${at}.phoneNumbers`}
                label="電話番号（1行に1つ）"
                multiline
                value={(desk.phoneNumbers ?? []).join("\n")}
                onChange={(v) => put({ phoneNumbers: lines(v) })}
              />
              <TextField
                {...base}
                path={`${at}.hours`}
                label="受付時間"
                value={desk.hours ?? ""}
                onChange={(v) => put({ hours: orNull(v) })}
              />
              <TextField
                {...base}
                path={`${at}.url`}
                label="窓口のURL"
                inputMode="url"
                value={desk.url ?? ""}
                onChange={(v) => put({ url: orNull(v) })}
              />
              <SelectField
                {...base}
                path={`${at}.verification`}
                label="確認の種類"
                value={desk.verification}
                options={VERIFICATIONS}
                onChange={(v) => put({ verification: v as Verification })}
              />
            </fieldset>
          );
        })}
      </fieldset>

      <fieldset className="carrier-group">
        <legend>手数料</legend>
        {(doc.fees ?? []).length === 0 && <p className="muted">手数料の登録はありません。</p>}
        {(doc.fees ?? []).map((fee, index) => {
          const put = (patch: Partial<typeof fee>) =>
            change((d) => ({ ...d, fees: replaceAt(d.fees, index, { ...fee, ...patch }) }));
          const at = `fees.${index}`;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: items are edited in place, never reordered
            <fieldset className="carrier-item" key={index}>
              <legend>{`手数料 ${index + 1}（${fee.name}）`}</legend>
              <TextField
                {...base}
                path={`${at}.name`}
                label="名前"
                value={fee.name}
                onChange={(v) => put({ name: v })}
              />
              <SelectField
                {...base}
                path={`${at}.channel`}
                label="窓口"
                value={fee.channel ?? ""}
                options={[["", "すべて"], ...CHANNELS]}
                onChange={(v) => put({ channel: v === "" ? null : (v as ChannelKind) })}
              />
              <TextField
                {...base}
                path={`${at}.amountYen`}
                label="金額（円・税込）"
                inputMode="numeric"
                value={fee.amountYen === null || fee.amountYen === undefined ? "" : String(fee.amountYen)}
                onChange={(v) => put({ amountYen: amountOf(v) })}
              />
              <TextField
                {...base}
                path={`${at}.text`}
                label="お客さまへの説明"
                multiline
                value={fee.text}
                onChange={(v) => put({ text: v })}
              />
              <TextField
                {...base}
                path={`${at}.asOf`}
                label="時点"
                type="date"
                value={fee.asOf}
                onChange={(v) => put({ asOf: v })}
              />
              <SelectField
                {...base}
                path={`${at}.verification`}
                label="確認の種類"
                value={fee.verification}
                options={VERIFICATIONS}
                onChange={(v) => put({ verification: v as Verification })}
              />
            </fieldset>
          );
        })}
      </fieldset>

      <fieldset className="carrier-group">
        <legend>転出</legend>
        <SelectField
          {...base}
          path="oneStop.participates"
          label="ワンストップ方式に対応"
          value={flag(doc.oneStop.participates)}
          options={flagOptions}
          onChange={(v) => change((d) => ({ ...d, oneStop: { ...d.oneStop, participates: fromFlag(v) } }))}
        />
        <TextField
          {...base}
          path="oneStop.since"
          label="対応開始日"
          type="date"
          value={doc.oneStop.since ?? ""}
          onChange={(v) => change((d) => ({ ...d, oneStop: { ...d.oneStop, since: orNull(v) } }))}
        />
        <TextField
          {...base}
          path="oneStop.note"
          label="ワンストップの補足"
          multiline
          value={doc.oneStop.note ?? ""}
          onChange={(v) => change((d) => ({ ...d, oneStop: { ...d.oneStop, note: orNull(v) } }))}
        />
        <SelectField
          {...base}
          path="oneStop.verification"
          label="ワンストップの確認の種類"
          value={doc.oneStop.verification}
          options={VERIFICATIONS}
          onChange={(v) =>
            change((d) => ({ ...d, oneStop: { ...d.oneStop, verification: v as Verification } }))
          }
        />
        <SelectField
          {...base}
          path="acceptsShopSignup"
          label="店頭で申し込める"
          value={flag(doc.acceptsShopSignup)}
          options={flagOptions}
          onChange={(v) => change((d) => ({ ...d, acceptsShopSignup: fromFlag(v) }))}
        />
        <SelectField
          {...base}
          path="shopSignupVerification"
          label="店頭申込の確認の種類"
          value={doc.shopSignupVerification ?? ""}
          options={[["", "未設定"], ...VERIFICATIONS]}
          onChange={(v) =>
            change((d) => ({ ...d, shopSignupVerification: v === "" ? null : (v as Verification) }))
          }
        />
      </fieldset>

      <fieldset className="carrier-group">
        <legend>乗り換え後</legend>
        <TextField
          {...base}
          path="afterSwitch"
          label="乗り換え後の確認事項（1行に1つ）"
          multiline
          value={(doc.afterSwitch ?? []).join("\n")}
          onChange={(v) => change((d) => ({ ...d, afterSwitch: lines(v) }))}
        />
        <TextField
          {...base}
          path="carrierMail"
          label="キャリアメール"
          multiline
          value={doc.carrierMail ?? ""}
          onChange={setNull("carrierMail")}
        />
        <TextField
          {...base}
          path="billingNote"
          label="請求・日割り"
          multiline
          value={doc.billingNote ?? ""}
          onChange={setNull("billingNote")}
        />
      </fieldset>

      <fieldset className="carrier-group">
        <legend>出典</legend>
        {(doc.sources ?? []).map((source, index) => {
          const put = (patch: Partial<typeof source>) =>
            change((d) => ({ ...d, sources: replaceAt(d.sources, index, { ...source, ...patch }) }));
          const at = `sources.${index}`;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: items are edited in place, never reordered
            <fieldset className="carrier-item" key={index}>
              <legend>{`出典 ${index + 1}`}</legend>
              <TextField
                {...base}
                path={`${at}.title`}
                label="題名"
                value={source.title}
                onChange={(v) => put({ title: v })}
              />
              <TextField
                {...base}
                path={`${at}.url`}
                label="URL"
                inputMode="url"
                value={source.url ?? ""}
                onChange={(v) => put({ url: orNull(v) })}
              />
              <TextField
                {...base}
                path={`${at}.date`}
                label="出典の日付"
                value={source.date ?? ""}
                onChange={(v) => put({ date: orNull(v) })}
              />
            </fieldset>
          );
        })}
      </fieldset>
    </>
  );
}

function CarrierEditor({ carrier, onSaved }: { carrier: Carrier; onSaved: () => void }) {
  const { api, user } = useConsole();
  const [doc, setDoc] = useState<CarrierDocument>(carrier.document);
  const [advanced, setAdvanced] = useState(false);
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const readOnly = !canEdit(user);

  // Open where the operator is looking: the editor sits below the table, so bring it into view.
  useEffect(() => {
    editor.current?.scrollIntoView?.({ block: "start" });
    heading.current?.focus({ preventScroll: true });
  }, []);

  const change = (update: Change) => {
    setNotice(null);
    setDoc(update);
  };

  /** The document as the form or the JSON view holds it; null (with the error shown) when the JSON is bad. */
  const current = (): CarrierDocument | null => {
    if (!advanced) return doc;
    const parsed = documentFromJson(text);
    if ("error" in parsed) {
      setError(parsed.error);
      return null;
    }
    return parsed.document;
  };

  const toggle = () => {
    setError(null);
    if (advanced) {
      const parsed = current();
      if (parsed === null) return;
      setDoc(parsed);
      setAdvanced(false);
    } else {
      setText(JSON.stringify(doc, null, 2));
      setAdvanced(true);
    }
  };

  const save = async () => {
    setError(null);
    setNotice(null);
    const document = current();
    if (document === null) return;
    const found = carrierProblems(document);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setError(`入力内容に誤りがあります（${Object.keys(found).length}件）。各項目の下をご確認ください。`);
      return;
    }
    setBusy(true);
    try {
      await api.putCarrier(carrier.id, document);
      setDoc(document);
      setNotice("保存しました。ボットの回答にすぐ反映されます。");
      onSaved();
    } catch (caught) {
      if (caught instanceof ApiError && caught.problems.length > 0)
        setErrors(problemsByField(caught.problems));
      setError(operatorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const unplaced = Object.entries(errors).filter(([path]) => !path || !knownPath(path));
  return (
    <div className="carrier-editor" ref={editor}>
      <h2 tabIndex={-1} ref={heading}>
        {carrier.name} の編集
      </h2>
      <button type="button" aria-pressed={advanced} onClick={toggle}>
        {advanced ? "フォームに戻る" : "JSONで編集（上級者向け）"}
      </button>
      {advanced ? (
        <label>
          {carrier.name} のデータ（JSON）
          <textarea
            rows={18}
            spellCheck={false}
            value={text}
            readOnly={readOnly}
            onChange={(event) => setText(event.target.value)}
          />
        </label>
      ) : (
        <CarrierFields doc={doc} change={change} errors={errors} readOnly={readOnly} />
      )}
      {unplaced.length > 0 && !advanced && (
        <ul className="field-error">
          {unplaced.map(([path, message]) => (
            <li key={path}>{path ? `${path}: ${message}` : message}</li>
          ))}
        </ul>
      )}
      <ErrorNote message={error} />
      <Notice message={notice} />
      {!readOnly && (
        <button type="button" className="primary" disabled={busy} onClick={save}>
          {carrier.name} を保存
        </button>
      )}
    </div>
  );
}

/** Whether the form has an input for this field path (the others are listed under the form). */
function knownPath(path: string): boolean {
  return /^(name|group|kind|aliases|officialUrl|mnpPageUrl|asOf|acceptsShopSignup|shopSignupVerification|afterSwitch|carrierMail|billingNote|oneStop\.(participates|since|note|verification)|portOut\.\d+\.(channel|name|phoneNumbers|hours|url|verification)|fees\.\d+\.(name|channel|amountYen|text|asOf|verification)|sources\.\d+\.(title|url|date))$/.test(
    path,
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
