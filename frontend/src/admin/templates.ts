// Canned replies for operators (templates); FAQ answers are searched live beside them.

export const TEMPLATES: { title: string; text: string }[] = [
  { title: "ごあいさつ", text: "お待たせいたしました。担当の者です。ご用件をお聞かせください。" },
  { title: "確認中", text: "ただいま確認しております。少々お待ちください。" },
  {
    title: "個人情報の注意",
    text: "お客さまの安全のため、暗証番号・カード番号・マイナンバーはチャットに入力しないでください。",
  },
  {
    title: "予約番号",
    text: "MNP予約番号は、現在ご契約中の通信会社のマイページ・電話窓口・店頭で発行できます。有効期限は発行日を含めて15日間です。",
  },
  { title: "ほかにご質問は", text: "ほかにご不明な点はございますか。" },
  {
    title: "終了のあいさつ",
    text: "お問い合わせいただきありがとうございました。この後のご質問にはチャットボットがお答えします。",
  },
];

export const OUTCOMES: { value: string; label: string }[] = [
  { value: "solved", label: "解決" },
  { value: "unsolved", label: "未解決" },
  { value: "escalated", label: "他部署へ引き継ぎ" },
  { value: "no_response", label: "お客さま応答なし" },
  { value: "other", label: "その他" },
];

export const REASONS: Record<string, string> = {
  requested: "お客さまの希望",
  complaint: "苦情・不満",
  repeated_low_confidence: "回答できない質問が続いた",
  no_answer: "回答が見つからない",
  callback: "折り返し依頼",
};

export const CHANNELS: Record<string, string> = {
  web: "Webページ",
  widget: "ウィジェット",
  line: "LINE",
  api: "API",
};

export const STATUSES: Record<string, string> = {
  waiting: "待機中",
  active: "対応中",
  resolved: "解決済み",
  abandoned: "取り下げ",
  missed: "時間外",
};

export function waited(seconds: number): string {
  if (seconds < 60) return `${seconds}秒`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}分` : `${Math.floor(minutes / 60)}時間${minutes % 60}分`;
}
