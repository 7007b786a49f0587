import { type FormEvent, useState } from "react";
import type { FaqFilter } from "../api/endpoints";
import { Badge, ErrorNote, Link, Loading, Pager } from "../components/common";
import { FileTransfer } from "../components/FileTransfer";
import { canEdit, useConsole, useLoad } from "../context";
import { CATEGORY_LABELS, label } from "../format";
import { BASE, routePath } from "../router";
import { usePendingReviews } from "./ReviewsPage";

const PAGE_SIZE = 50;

interface Filters {
  q: string;
  category: string;
  brand: string;
  verified: "" | "true" | "false";
}

const EMPTY: Filters = { q: "", category: "", brand: "", verified: "" };

function toQuery(filters: Filters, offset: number): FaqFilter {
  return {
    q: filters.q.trim() || undefined,
    category: filters.category || undefined,
    brand: filters.brand.trim() || undefined,
    verified: filters.verified === "" ? undefined : filters.verified === "true",
    limit: PAGE_SIZE,
    offset,
  };
}

export function FaqListPage() {
  const { api, user } = useConsole();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const query = toQuery(filters, offset);
  const page = useLoad(() => api.listFaqs(query), JSON.stringify(query));
  const carriers = useLoad(() => api.listCarriers(), "carriers");
  const brandNames = new Map((carriers.data?.items ?? []).map((carrier) => [carrier.id, carrier.name]));
  const pending = usePendingReviews();

  const search = (event: FormEvent) => {
    event.preventDefault();
    setOffset(0);
    setFilters(draft);
  };
  const total = page.data?.total ?? 0;

  return (
    <section aria-labelledby="faqs-title">
      <div className="page-head">
        <h1 id="faqs-title">FAQ管理</h1>
        {canEdit(user) && (
          <Link to={`${BASE}/faqs/new`} className="button primary">
            新しいFAQ
          </Link>
        )}
      </div>
      <form className="filters" onSubmit={search} aria-label="FAQの絞り込み">
        <label>
          キーワード
          <input
            type="search"
            value={draft.q}
            onChange={(event) => setDraft({ ...draft, q: event.target.value })}
            placeholder="質問・言い換え・slug"
          />
        </label>
        <label>
          カテゴリ
          <select
            value={draft.category}
            onChange={(event) => setDraft({ ...draft, category: event.target.value })}
          >
            <option value="">すべて</option>
            {Object.entries(CATEGORY_LABELS).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label>
          ブランド
          <input
            value={draft.brand}
            onChange={(event) => setDraft({ ...draft, brand: event.target.value })}
            placeholder="例: ドコモ"
            list="brand-names"
          />
          <datalist id="brand-names">
            {(carriers.data?.items ?? []).map((carrier) => (
              <option key={carrier.id} value={carrier.name} />
            ))}
          </datalist>
        </label>
        <label>
          確認状況
          <select
            value={draft.verified}
            onChange={(event) => setDraft({ ...draft, verified: event.target.value as Filters["verified"] })}
          >
            <option value="">すべて</option>
            <option value="true">確認済み</option>
            <option value="false">未確認</option>
          </select>
        </label>
        <button type="submit">検索</button>
      </form>
      <ErrorNote message={page.error} />
      <Loading show={page.loading && !page.data} />
      {page.data && total === 0 && <p role="status">条件に合うFAQは見つかりませんでした。</p>}
      {page.data && total > 0 && (
        <>
          <p className="muted" aria-live="polite">
            {total} 件中 {total === 0 ? 0 : offset + 1}〜{Math.min(offset + PAGE_SIZE, total)} 件
          </p>
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">質問</th>
                  <th scope="col">カテゴリ</th>
                  <th scope="col">ブランド</th>
                  <th scope="col">確認</th>
                  <th scope="col">公開</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((faq) => (
                  <tr key={faq.id}>
                    <td>
                      <Link to={routePath({ page: "faq", key: faq.slug })}>{faq.question}</Link>
                      <div className="muted small">{faq.slug}</div>
                    </td>
                    <td>{label(CATEGORY_LABELS, faq.category)}</td>
                    <td>{faq.brands.map((id) => brandNames.get(id) ?? id).join("、") || "共通"}</td>
                    <td>
                      {faq.verified ? <Badge tone="ok">確認済み</Badge> : <Badge tone="warn">未確認</Badge>}
                    </td>
                    <td>
                      {faq.isPublished ? "公開" : <Badge tone="plain">非公開</Badge>}
                      {pending.has(faq.id) && <Badge tone="warn">承認待ち</Badge>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} pageSize={PAGE_SIZE} total={total} onChange={setOffset} />
        </>
      )}
      <FileTransfer kind="faqs" onImported={page.reload} />
    </section>
  );
}
