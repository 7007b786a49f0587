import { describe, expect, it } from "vitest";
import { parseRoadmap, parseStepGuide } from "../../src/navigator/roadmap";

const PLAN = [
  "【あなたの乗り換えロードマップ】",
  "",
  "auからahamoへ：予約番号を取ってから申し込みます。",
  "",
  "1. 予約番号を取る",
  "   My auで予約番号を発行します。",
  "   有効期限は発行日を含めて15日間です。",
  "",
  "2. ahamoに申し込む",
  "   公式サイト（https://ahamo.com/）から申し込みます。",
  "",
  "3. 開通する",
  "   開通した時点で旧回線は解約されます。",
  "",
  "【乗り換え後に確認すること】",
  "・キャリアメール",
  "   メールアドレスは引き継げません。",
  "・ポイント",
  "   残高を確認しましょう。",
].join("\n");

describe("parseRoadmap", () => {
  it("reads the title, intro, numbered steps with their details and the checklist", () => {
    const roadmap = parseRoadmap(PLAN);
    expect(roadmap?.title).toBe("あなたの乗り換えロードマップ");
    expect(roadmap?.intro).toEqual(["auからahamoへ：予約番号を取ってから申し込みます。"]);
    expect(roadmap?.steps.map((step) => step.title)).toEqual([
      "予約番号を取る",
      "ahamoに申し込む",
      "開通する",
    ]);
    expect(roadmap?.steps[0]?.details).toEqual([
      "My auで予約番号を発行します。",
      "有効期限は発行日を含めて15日間です。",
    ]);
    expect(roadmap?.checksTitle).toBe("乗り換え後に確認すること");
    expect(roadmap?.checks.map((check) => [check.title, check.details.length])).toEqual([
      ["キャリアメール", 1],
      ["ポイント", 1],
    ]);
  });

  it.each([
    ["full-width digits and full stops", "１．予約番号を取る\n２．申し込む", ["予約番号を取る", "申し込む"]],
    ["a closing parenthesis", "1) 予約番号を取る\n2) 申し込む", ["予約番号を取る", "申し込む"]],
    ["the Japanese comma", "1、確認する\n2、申し込む\n3、開通する", ["確認する", "申し込む", "開通する"]],
  ])("accepts steps numbered with %s", (_name, text, titles) => {
    expect(parseRoadmap(text)?.steps.map((step) => step.title)).toEqual(titles);
  });

  it.each([
    ["ordinary prose", "予約番号の有効期限は15日間です。\n期限が切れたら取り直せます。"],
    ["a single numbered line", "1. 予約番号を取ってください。"],
    ["numbers out of order", "1. 確認する\n3. 開通する"],
    ["numbering that does not start at 1", "2. 申し込む\n3. 開通する"],
    ["a list that restarts after prose", "1. 確認する\n2. 申し込む\nまとめ\n3. 開通する"],
    ["an empty text", ""],
  ])("falls back to plain text for %s", (_name, text) => {
    expect(parseRoadmap(text)).toBeNull();
  });

  it("keeps the closing text after the steps", () => {
    expect(parseRoadmap("1. 確認する\n2. 申し込む\n\n手順は以上です。")?.outro).toEqual(["手順は以上です。"]);
  });

  it("accepts a titled checklist without steps, as the guide's last page", () => {
    const roadmap = parseRoadmap(
      "【乗り換え後に確認すること】\n・APN設定\n   必要な場合があります。\n\n手順は以上です。",
    );
    expect(roadmap?.steps).toEqual([]);
    expect(roadmap?.checks[0]).toEqual({ title: "APN設定", details: ["必要な場合があります。"] });
    expect(roadmap?.outro).toEqual(["手順は以上です。"]);
  });
});

describe("parseStepGuide", () => {
  it("reads position, title, body, citation and link", () => {
    const guide = parseStepGuide(
      "ステップ 2/5：ahamoに申し込む\n公式サイトから申し込みます。\n出典：総務省\n確認先：https://ahamo.com/",
    );
    expect(guide).toEqual({
      index: 2,
      total: 5,
      title: "ahamoに申し込む",
      body: ["公式サイトから申し込みます。"],
      citation: "総務省",
      link: "https://ahamo.com/",
    });
  });

  it.each([
    ["full-width numbers and separators", "ステップ　３／４：開通する", 3, 4],
    ["no spaces", "ステップ1/3:確認する", 1, 3],
  ])("accepts %s", (_name, text, index, total) => {
    expect(parseStepGuide(text)).toMatchObject({ index, total });
  });

  it.each([
    ["a step beyond the total", "ステップ 6/5：開通する"],
    ["step zero", "ステップ 0/5：開通する"],
    ["no title", "ステップ 1/5："],
    ["ordinary prose", "1ステップずつ進めますか？"],
  ])("rejects %s", (_name, text) => {
    expect(parseStepGuide(text)).toBeNull();
  });
});
