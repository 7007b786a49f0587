import { type FormEvent, useEffect, useState } from "react";
import type { FaqEntry } from "../api/types";
import { ErrorNote, Link, Loading, Notice } from "../components/common";
import { canEdit, operatorMessage, useConsole } from "../context";
import { type FaqForm, formProblems, fromForm, toForm } from "../faqForm";
import { CATEGORY_LABELS, FAQ_FIELD_LABELS, label, VERIFICATION_LABELS } from "../format";
import { BASE, navigate, routePath, setLeaveWarning, useLocation } from "../router";
import { savedNotice } from "./ReviewsPage";

export const LEAVE_WARNING = "保存していない変更があります。破棄してこのページを離れますか？";

/** History state of /admin/faqs/new when it starts from a draft (the knowledge-gaps page). */
export interface DraftState {
  draft: Partial<FaqEntry>;
  missing?: string[];
}

function draftOf(state: unknown): DraftState | null {
  if (typeof state === "object" && state !== null && "draft" in state) return state as DraftState;
  return null;
}

export function FaqEditPage({ faqKey }: { faqKey: string | null }) {
  const { api, user, today } = useConsole();
  const location = useLocation();
  const [form, setForm] = useState<FaqForm | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState<string[]>([]);
  const [baseline, setBaseline] = useState<string | null>(null);
  const editable = canEdit(user);
  const dirty = form !== null && baseline !== null && JSON.stringify(form) !== baseline;
  const loaded = (next: FaqForm) => {
    setForm(next);
    setBaseline(JSON.stringify(next));
  };

  // Unsaved changes: the browser asks before a reload or closing the tab, the console before another page.
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", onBeforeUnload);
    setLeaveWarning(LEAVE_WARNING);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      setLeaveWarning(null);
    };
  }, [dirty]);
  const draft = faqKey === null ? draftOf(location.state) : null;

  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per entry (the draft rides on it)
  useEffect(() => {
    let current = true;
    setForm(null);
    setLoadError(null);
    if (faqKey === null) {
      loaded(toForm(draft?.draft ?? {}, today()));
      setMissing(draft?.missing ?? []);
      return;
    }
    api.getFaq(faqKey).then(
      (entry) => current && loaded(toForm(entry, today())),
      (caught: unknown) => current && setLoadError(operatorMessage(caught)),
    );
    return () => {
      current = false;
    };
  }, [faqKey]);

  if (loadError) return <ErrorNote message={loadError} />;
  if (!form) return <Loading show />;

  const set = <K extends keyof FaqForm>(key: K, value: FaqForm[K]) => setForm({ ...form, [key]: value });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const problems = formProblems(form);
    if (problems.length > 0) {
      setError(problems.join(" "));
      return;
    }
    setBusy(true);
    try {
      const body = fromForm(form);
      const saved = faqKey === null ? await api.createFaq(body) : await api.updateFaq(faqKey, body);
      // An operator's publication waits for review: the form keeps what they wrote, not the live entry.
      loaded(saved.pendingReviewId ? form : toForm(saved, today()));
      setNotice(savedNotice(saved));
      setLeaveWarning(null);
      if (faqKey !== saved.slug) navigate(routePath({ page: "faq", key: saved.slug }));
    } catch (caught) {
      setError(operatorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (faqKey === null || !window.confirm(`「${form.question}」を削除します。よろしいですか？`)) return;
    setBusy(true);
    try {
      await api.deleteFaq(faqKey);
      setLeaveWarning(null);
      navigate(`${BASE}/faqs`);
    } catch (caught) {
      setError(operatorMessage(caught));
      setBusy(false);
    }
  };

  const text = (key: keyof FaqForm, title: string, hint?: string, rows?: number) =>
    rows ? (
      <label>
        {title}
        {hint && <span className="hint">{hint}</span>}
        <textarea
          rows={rows}
          value={String(form[key])}
          readOnly={!editable}
          onChange={(event) => set(key, event.target.value)}
        />
      </label>
    ) : (
      <label>
        {title}
        {hint && <span className="hint">{hint}</span>}
        <input
          value={String(form[key])}
          readOnly={!editable}
          onChange={(event) => set(key, event.target.value)}
        />
      </label>
    );

  return (
    <section aria-labelledby="faq-title">
      <p>
        <Link to={`${BASE}/faqs`}>← FAQ一覧へ</Link>
      </p>
      <h1 id="faq-title">{faqKey === null ? "新しいFAQ" : "FAQの編集"}</h1>
      {missing.length > 0 && (
        <p className="admin-notice">
          下書きです。次の項目を埋めてください:{" "}
          {missing.map((name) => label(FAQ_FIELD_LABELS, name)).join("、")}
        </p>
      )}
      <form className="faq-form" onSubmit={save}>
        {text("question", "質問")}
        {text("answer", "回答", "お客さまに表示される文章です（です・ます調）。", 8)}
        {text("alternates", "言い換え", "お客さまの聞き方を1行に1つ、2つ以上。", 4)}
        <div className="grid-2">
          {text("slug", "slug", "半角英小文字・数字・-・_")}
          <label>
            カテゴリ
            <select
              value={form.category}
              disabled={!editable}
              onChange={(event) => set("category", event.target.value)}
            >
              {Object.entries(CATEGORY_LABELS).map(([value, name]) => (
                <option key={value} value={value}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {text("keywords", "キーワード", "読点・カンマ区切り")}
          {text("brands", "ブランド", "例: docomo, ahamo（空欄は共通）")}
          <label>
            確認状況
            <select
              value={form.verification}
              disabled={!editable}
              onChange={(event) => set("verification", event.target.value)}
            >
              {Object.entries(VERIFICATION_LABELS).map(([value, name]) => (
                <option key={value} value={value}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {text("officialUrl", "公式の確認先URL")}
          <label>
            情報の時点
            <input
              type="date"
              value={form.asOf}
              readOnly={!editable}
              onChange={(event) => set("asOf", event.target.value)}
            />
          </label>
          {text("factIds", "ファクトID", "例: F1-6")}
          <label>
            有効期間（開始）
            <input
              type="date"
              value={form.validFrom}
              readOnly={!editable}
              onChange={(event) => set("validFrom", event.target.value)}
            />
          </label>
          <label>
            有効期間（終了）
            <input
              type="date"
              value={form.validUntil}
              readOnly={!editable}
              onChange={(event) => set("validUntil", event.target.value)}
            />
          </label>
        </div>
        {text("sources", "出典", "1行に1つ: タイトル | URL | 日付", 3)}
        <label className="check">
          <input
            type="checkbox"
            checked={form.isPublished}
            disabled={!editable}
            onChange={(event) => set("isPublished", event.target.checked)}
          />
          公開する（ボットの回答に使う）
        </label>
        <ErrorNote message={error} />
        <Notice message={notice} />
        {editable && (
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              保存
            </button>
            {faqKey !== null && (
              <button type="button" className="danger" disabled={busy} onClick={remove}>
                削除
              </button>
            )}
          </div>
        )}
      </form>
    </section>
  );
}
