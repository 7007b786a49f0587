// Short labels for quick replies: a related FAQ title is sent whole, but its chip shows the gist.

export const MAX_LABEL_CHARS = 16;

const ENDINGS: [RegExp, string][] = [
  [/できますか[？?]$/, "できる？"],
  [/ありますか[？?]$/, "ある？"],
  [/かかりますか[？?]$/, "かかる？"],
  [/使えますか[？?]$/, "使える？"],
  [/なりますか[？?]$/, "なる？"],
  [/必要ですか[？?]$/, "必要？"],
  [/ですか[？?]$/, "？"],
  [/ください[。]?$/, ""],
];

/** 「LINEMOの予約番号はどこで発行できますか？」 → 「LINEMOの予約番号はどこで発行…」; short texts stay as they are. */
export function shortLabel(text: string): string {
  let label = text.trim();
  for (const [ending, plain] of ENDINGS) {
    if (ending.test(label)) {
      label = label.replace(ending, plain);
      break;
    }
  }
  return label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label;
}
