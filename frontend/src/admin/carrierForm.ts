// The carrier editor's form: cheap checks in the browser, field by field, in the API's words and paths
// (`fees.0.amountYen`), so a problem found here and one the server finds show in the same place.
import type { FieldProblem } from "../api/types";
import type { CarrierDocument } from "./api/types";

export type FieldErrors = Record<string, string>;

const URL_PATTERN = /^https?:\/\/[^\s/.]+\.[^\s]+$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const MESSAGES = {
  required: "必須の項目です",
  url: "正しいURLを指定してください（https:// から）",
  date: "日付は YYYY-MM-DD の形式で指定してください",
  amount: "0以上の整数（円）で指定してください",
  aliases: "呼び名を1つ以上、1行に1つずつ入力してください",
} as const;

function blank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.trim() === "";
}

/** The problems the browser can see without asking the server, keyed by field path. */
export function carrierProblems(doc: CarrierDocument): FieldErrors {
  const found: FieldErrors = {};
  const need = (path: string, value: string | null | undefined) => {
    if (blank(value)) found[path] = MESSAGES.required;
  };
  const url = (path: string, value: string | null | undefined, required: boolean) => {
    if (blank(value)) {
      if (required) found[path] = MESSAGES.required;
    } else if (!URL_PATTERN.test((value ?? "").trim())) found[path] = MESSAGES.url;
  };
  const date = (path: string, value: string | null | undefined) => {
    if (blank(value)) found[path] = MESSAGES.required;
    else if (!DATE_PATTERN.test((value ?? "").trim())) found[path] = MESSAGES.date;
  };
  need("name", doc.name);
  need("group", doc.group);
  if (doc.aliases.filter((alias) => alias.trim()).length === 0) found.aliases = MESSAGES.aliases;
  url("officialUrl", doc.officialUrl, true);
  url("mnpPageUrl", doc.mnpPageUrl, false);
  date("asOf", doc.asOf);
  (doc.portOut ?? []).forEach((desk, index) => {
    need(`portOut.${index}.name`, desk.name);
    url(`portOut.${index}.url`, desk.url, false);
  });
  (doc.fees ?? []).forEach((fee, index) => {
    need(`fees.${index}.name`, fee.name);
    need(`fees.${index}.text`, fee.text);
    date(`fees.${index}.asOf`, fee.asOf);
    const amount = fee.amountYen;
    if (amount !== null && amount !== undefined && (!Number.isInteger(amount) || amount < 0)) {
      found[`fees.${index}.amountYen`] = MESSAGES.amount;
    }
  });
  (doc.sources ?? []).forEach((source, index) => {
    need(`sources.${index}.title`, source.title);
    url(`sources.${index}.url`, source.url, false);
  });
  return found;
}

/** The server's problems keyed by field path (the first problem of a field wins). */
export function problemsByField(problems: FieldProblem[]): FieldErrors {
  const found: FieldErrors = {};
  for (const problem of problems) {
    const key = problem.field ?? "";
    if (!(key in found)) found[key] = problem.message;
  }
  return found;
}

/** The amount typed into the form: empty is "not given" (null); anything else a number to check. */
export function amountOf(text: string): number | null {
  if (text.trim() === "") return null;
  return Number(text.replace(/[,，円\s]/g, ""));
}

/** The document as JSON text for the advanced view, and back; an error when it is not a JSON object. */
export function documentFromJson(text: string): { document: CarrierDocument } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { error: "JSONオブジェクト（{ … }）で入力してください。" };
    }
    return { document: value as CarrierDocument };
  } catch (caught) {
    return { error: `JSONとして読めません: ${caught instanceof Error ? caught.message : ""}` };
  }
}
