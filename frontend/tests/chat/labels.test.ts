import { describe, expect, it } from "vitest";
import { MAX_LABEL_CHARS, shortLabel } from "../../src/chat/labels";

describe("issue 18: quick-reply labels", () => {
  it.each([
    ["ドコモ", "ドコモ"],
    ["手数料はいくら？", "手数料はいくら？"],
    ["MNPの転出手数料はかかりますか？", "MNPの転出手数料はかかる？"],
    ["予約番号の有効期限は何日ですか？", "予約番号の有効期限は何日？"],
  ])("keeps the gist of %s", (text, label) => {
    expect(shortLabel(text)).toBe(label.length > MAX_LABEL_CHARS ? `${label.slice(0, 15)}…` : label);
  });

  it("never shows a whole long FAQ title", () => {
    const title = "楽天モバイルから転出するときMNP手数料はかかりますか？";
    expect(shortLabel(title).length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    expect(shortLabel(title).endsWith("…")).toBe(true);
  });
});
