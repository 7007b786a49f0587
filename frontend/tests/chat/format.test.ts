import { describe, expect, it } from "vitest";
import { formatAsOf, safeUrl, splitLinks } from "../../src/chat/format";

describe("splitLinks", () => {
  it.each([
    [
      "a link inside full-width parentheses",
      "詳しくは公式（https://ahamo.com/column/68）へ。",
      ["詳しくは公式（", "https://ahamo.com/column/68", "）へ。"],
    ],
    ["a link followed by a full stop", "See https://example.jp/a.", ["See ", "https://example.jp/a", "."]],
    ["a link at the start", "https://x.jp/ を見てください", ["https://x.jp/", " を見てください"]],
    ["no link", "予約番号は15日間有効です。", ["予約番号は15日間有効です。"]],
  ])("splits %s", (_name, text, expected) => {
    const parts = splitLinks(text);
    expect(parts.map((part) => (part.kind === "link" ? part.url : part.text))).toEqual(expected);
    expect(parts.map((part) => (part.kind === "link" ? part.url : part.text)).join("")).toBe(text);
  });

  it("never turns other schemes into links", () => {
    expect(splitLinks("javascript:alert(1)").every((part) => part.kind === "text")).toBe(true);
  });
});

describe("formatAsOf", () => {
  it.each([
    ["2026-11-29", "2026年11月29日時点"],
    ["2025-04-01T00:00:00Z", "2025年4月1日時点"],
    ["2025年春", "2025年春時点"],
    [null, null],
    ["", null],
  ])("formats %s", (asOf, expected) => {
    expect(formatAsOf(asOf)).toBe(expected);
  });
});

describe("safeUrl", () => {
  it.each([
    ["https://www.soumu.go.jp/", "https://www.soumu.go.jp/"],
    ["javascript:alert(1)", null],
    ["data:text/html,hi", null],
    ["not a url", null],
    [null, null],
  ])("accepts only http(s): %s", (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});
