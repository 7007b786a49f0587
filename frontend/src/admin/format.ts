// Display helpers for the console (Japan time, percentages, milliseconds).

const dateTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : dateTime.format(date);
}

export function percent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return "—";
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function score(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return value.toFixed(3);
}

export function millis(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} 秒` : `${Math.round(value)} ms`;
}

/** YYYY-MM-DD of the day `daysAgo` before `now`, in Japan time. */
export function japanDay(now: Date, daysAgo = 0): string {
  const shifted = new Date(now.getTime() + 9 * 3_600_000 - daysAgo * 86_400_000);
  return shifted.toISOString().slice(0, 10);
}

export const CATEGORY_LABELS: Record<string, string> = {
  basics: "基本",
  one_stop: "ワンストップ",
  fees: "手数料",
  reservation: "予約番号",
  requirements: "必要なもの",
  side_effects: "乗り換えの影響",
  timeline: "手続きの流れ",
  trouble: "トラブル",
  smalltalk: "雑談",
};

export const VERIFICATION_LABELS: Record<string, string> = {
  official: "公式で確認",
  press: "報道で確認",
  secondary: "二次情報",
  unverified: "未検証",
};

export const MODE_LABELS: Record<string, string> = {
  faq: "FAQ回答",
  llm: "LLM回答",
  clarify: "聞き返し",
  handoff: "有人対応",
  no_answer: "回答できず",
  smalltalk: "雑談",
  out_of_scope: "対象外",
  navigator: "ナビ",
};

/** The FAQ fields as the editor labels them (API names, camelCase and snake_case). */
export const FAQ_FIELD_LABELS: Record<string, string> = {
  slug: "slug",
  category: "カテゴリ",
  question: "質問",
  answer: "回答",
  alternates: "言い換え",
  keywords: "キーワード",
  brands: "ブランド",
  factIds: "ファクトID",
  fact_ids: "ファクトID",
  sources: "出典",
  asOf: "情報の時点",
  as_of: "情報の時点",
  verification: "確認状況",
  officialUrl: "公式の確認先URL",
  official_url: "公式の確認先URL",
  validFrom: "有効期間（開始）",
  valid_from: "有効期間（開始）",
  validUntil: "有効期間（終了）",
  valid_until: "有効期間（終了）",
  isPublished: "公開",
};

export const ROLE_LABELS: Record<string, string> = {
  admin: "管理者",
  operator: "オペレーター",
  viewer: "閲覧者",
};

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  "auth.login": "ログイン",
  "auth.login_failed": "ログイン失敗",
  "auth.logout": "ログアウト",
  "auth.refresh_reused": "使用済みトークンの再利用",
  "user.created": "ユーザー追加",
  "user.updated": "ユーザー変更",
  "user.disabled": "ユーザー無効化",
  "user.sessions_revoked": "全端末からログアウト",
  "faq.created": "FAQ作成",
  "faq.updated": "FAQ更新",
  "faq.deleted": "FAQ削除",
  "faq.review_requested": "FAQの承認依頼",
  "faq.review_approved": "FAQの承認",
  "faq.review_rejected": "FAQの差し戻し",
  "carrier.updated": "事業者更新",
  "transcript.viewed": "会話の閲覧",
  "data.exported": "データの書き出し",
  "data.deleted": "データの削除",
  "setting.changed": "設定の変更",
  "retention.purged": "保存期間切れの削除",
  "encryption.reencrypted": "暗号鍵の更新",
  "handoff.claimed": "有人対応の担当",
  "handoff.transferred": "有人対応の引き継ぎ",
  "handoff.resolved": "有人対応の完了",
  "handoff.released": "有人対応の担当解除",
  "handoff.note_added": "有人対応のメモ",
  "handoff.contact_viewed": "連絡先の表示",
  "handoff.callback_done": "折り返し済み",
  "handoff.settings_changed": "有人対応の設定変更",
};

export function label(labels: Record<string, string>, key: string | null | undefined): string {
  if (!key) return "—";
  return labels[key] ?? key;
}
