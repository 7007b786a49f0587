import { describe, expect, it } from "vitest";
import type { FaqEntry } from "../../src/admin/api/types";
import { emptyForm, formProblems, fromForm, parseSources, toForm, words } from "../../src/admin/faqForm";

const ENTRY: FaqEntry = {
  id: "0b7c",
  slug: "reservation-validity",
  category: "reservation",
  question: "MNP予約番号の有効期限は？",
  answer: "発行日を含めて15日間です。",
  alternates: ["予約番号はいつまで使えますか", "予約番号 期限"],
  keywords: ["予約番号", "有効期限"],
  brands: ["docomo", "ahamo"],
  factIds: ["F1-6"],
  sources: [{ title: "総務省", url: "https://www.soumu.go.jp/", date: "2025-10-19" }, { title: "社内資料" }],
  asOf: "2026-11-01",
  verification: "official",
  verified: true,
  officialUrl: null,
  validFrom: null,
  validUntil: "2027-03-31",
  isPublished: true,
};

describe("FAQ form", () => {
  it("round-trips an entry through the form to the write shape", () => {
    const { id: _id, verified: _verified, ...expected } = ENTRY;
    expect(fromForm(toForm(ENTRY, "2026-11-29"))).toEqual(expected);
  });

  it.each([
    ["予約番号、有効期限, 15日", ["予約番号", "有効期限", "15日"]],
    [" docomo  ahamo ", ["docomo", "ahamo"]],
    ["", []],
  ])("splits %j into words", (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it.each([
    [
      "総務省 | https://www.soumu.go.jp/ | 2025-10-19",
      [{ title: "総務省", url: "https://www.soumu.go.jp/", date: "2025-10-19" }],
    ],
    ["社内資料\n\n  ", [{ title: "社内資料" }]],
    ["報道 |  | 日付不明", [{ title: "報道", date: "日付不明" }]],
  ])("parses sources %j", (text, expected) => {
    expect(parseSources(text)).toEqual(expected);
  });

  it("accepts a complete entry", () => {
    expect(formProblems(toForm(ENTRY, "2026-11-29"))).toEqual([]);
  });

  it.each([
    ["slug", { slug: "予約番号" }, "slug"],
    ["question", { question: "  " }, "質問"],
    ["alternates", { alternates: "ひとつだけ" }, "言い換え"],
    ["sources", { sources: "" }, "出典"],
    ["unverified without url", { verification: "unverified", officialUrl: "" }, "公式の確認先URL"],
  ])("flags a missing %s", (_name, change, word) => {
    const problems = formProblems({ ...toForm(ENTRY, "2026-11-29"), ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(word);
  });

  it("lets small talk go without sources", () => {
    const form = { ...toForm(ENTRY, "2026-11-29"), category: "smalltalk", sources: "" };
    expect(formProblems(form)).toEqual([]);
  });

  it("starts a new entry dated today, published and unverified", () => {
    const form = emptyForm("2026-11-29");
    expect(form.asOf).toBe("2026-11-29");
    expect(form.isPublished).toBe(true);
    expect(formProblems(form).length).toBeGreaterThan(3);
  });
});
