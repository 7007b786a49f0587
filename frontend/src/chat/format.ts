// Small pure text helpers for rendering answers.

export type TextPart = { kind: "text"; text: string } | { kind: "link"; url: string };

const URL_PATTERN = /https?:\/\/[^\s（）()「」『』、。<>"'）]+/g;
const TRAILING_PUNCTUATION = /[.,!?:;]+$/;

/** Splits text into plain runs and http(s) links, so links render as anchors without any HTML parsing. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, "");
    const start = match.index ?? 0;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    parts.push({ kind: "link", url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/** "2026-11-29" → "2026年11月29日時点"; anything else is shown as given. */
export function formatAsOf(asOf: string | null | undefined): string | null {
  if (!asOf) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(asOf);
  if (!match) return `${asOf}時点`;
  const [, year, month, day] = match;
  return `${year}年${Number(month)}月${Number(day)}日時点`;
}

/** Only http(s) URLs become links; anything else (javascript:, data:) is dropped. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}
