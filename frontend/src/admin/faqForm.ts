// The FAQ editor's form: plain strings for the inputs, converted to and from the API's write shape.

import type { FaqEntry, FaqSource, FaqWrite } from "./api/types";

export interface FaqForm {
  slug: string;
  category: string;
  question: string;
  answer: string;
  alternates: string;
  keywords: string;
  brands: string;
  factIds: string;
  sources: string;
  asOf: string;
  verification: string;
  officialUrl: string;
  validFrom: string;
  validUntil: string;
  isPublished: boolean;
}

export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export function words(text: string): string[] {
  return text
    .split(/[,、，\s]+/)
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
}

/** One source per line: `title | url | date` (url and date optional). */
export function parseSources(text: string): FaqSource[] {
  return lines(text).map((line) => {
    const [title = "", url = "", date = ""] = line.split("|").map((part) => part.trim());
    const source: FaqSource = { title };
    if (url) source.url = url;
    if (date) source.date = date;
    return source;
  });
}

export function formatSources(sources: FaqSource[]): string {
  return sources
    .map((source) => {
      const parts = [source.title, source.url ?? "", source.date ?? ""];
      while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
      return parts.join(" | ");
    })
    .join("\n");
}

export function emptyForm(today: string): FaqForm {
  return {
    slug: "",
    category: "basics",
    question: "",
    answer: "",
    alternates: "",
    keywords: "",
    brands: "",
    factIds: "",
    sources: "",
    asOf: today,
    verification: "unverified",
    officialUrl: "",
    validFrom: "",
    validUntil: "",
    isPublished: true,
  };
}

export function toForm(entry: Partial<FaqEntry>, today: string): FaqForm {
  const base = emptyForm(today);
  return {
    slug: entry.slug ?? base.slug,
    category: entry.category ?? base.category,
    question: entry.question ?? "",
    answer: entry.answer ?? "",
    alternates: (entry.alternates ?? []).join("\n"),
    keywords: (entry.keywords ?? []).join(", "),
    brands: (entry.brands ?? []).join(", "),
    factIds: (entry.factIds ?? []).join(", "),
    sources: formatSources(entry.sources ?? []),
    asOf: entry.asOf ?? base.asOf,
    verification: entry.verification ?? base.verification,
    officialUrl: entry.officialUrl ?? "",
    validFrom: entry.validFrom ?? "",
    validUntil: entry.validUntil ?? "",
    isPublished: entry.isPublished ?? true,
  };
}

export function fromForm(form: FaqForm): FaqWrite {
  return {
    slug: form.slug.trim(),
    category: form.category,
    question: form.question.trim(),
    answer: form.answer.trim(),
    alternates: lines(form.alternates),
    keywords: words(form.keywords),
    brands: words(form.brands),
    factIds: words(form.factIds),
    sources: parseSources(form.sources),
    asOf: form.asOf,
    verification: form.verification,
    officialUrl: form.officialUrl.trim() || null,
    validFrom: form.validFrom || null,
    validUntil: form.validUntil || null,
    isPublished: form.isPublished,
  };
}

/** Problems the server would reject anyway, said before sending (empty: looks fine). */
export function formProblems(form: FaqForm): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9_-]{1,80}$/.test(form.slug.trim())) {
    problems.push("slug は半角英小文字・数字・-・_ で2文字以上にしてください。");
  }
  if (!form.question.trim()) problems.push("質問を入力してください。");
  if (!form.answer.trim()) problems.push("回答を入力してください。");
  if (lines(form.alternates).length < 2) problems.push("言い換えを2つ以上、1行に1つずつ入力してください。");
  if (form.category !== "smalltalk" && parseSources(form.sources).length === 0) {
    problems.push("出典を1つ以上入力してください。");
  }
  const verified = form.verification === "official" || form.verification === "press";
  if (!verified && !form.officialUrl.trim()) problems.push("未確認の情報には公式の確認先URLが必要です。");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.asOf)) problems.push("情報の時点（日付）を入力してください。");
  return problems;
}
