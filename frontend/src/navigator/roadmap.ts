// Reads the navigator's plain-text plans into structures the UI can draw (pure; null means "show as text").

export interface Section {
  title: string;
  details: string[];
}

export interface Roadmap {
  title: string | null;
  intro: string[];
  steps: Section[];
  checksTitle: string | null;
  checks: Section[];
  outro: string[];
}

export interface StepGuide {
  index: number;
  total: number;
  title: string;
  body: string[];
  citation: string | null;
  link: string | null;
}

const HEADING = /^【(.+)】$/;
const STEP = /^([0-9０-９]{1,2})\s*[.．、)）]\s*(\S.*)$/;
const BULLET = /^[・•●]\s*(\S.*)$/;
const INDENTED = /^[ \t\u3000]+\S/;
const GUIDE_HEAD = /^ステップ\s*([0-9０-９]+)\s*[/／]\s*([0-9０-９]+)\s*[：:]\s*(\S.*)$/;

function toNumber(digits: string): number {
  return Number(digits.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)));
}

type Zone = "intro" | "steps" | "checks" | "outro";

class RoadmapBuilder {
  readonly map: Roadmap = { title: null, intro: [], steps: [], checksTitle: null, checks: [], outro: [] };
  private zone: Zone = "intro";
  private current: Section | null = null;
  valid = true;

  line(raw: string): void {
    const line = raw.trimEnd();
    if (!line.trim()) return;
    if (INDENTED.test(line) && this.current) {
      this.current.details.push(line.trim());
      return;
    }
    this.unindented(line.trim());
  }

  private unindented(line: string): void {
    const heading = HEADING.exec(line);
    const step = STEP.exec(line);
    const bullet = BULLET.exec(line);
    if (bullet && this.zone === "intro" && this.map.title !== null && this.map.intro.length === 0) {
      this.headingIsChecklist();
    }
    if (heading?.[1]) this.heading(heading[1]);
    else if (step?.[1] && step[2] && this.zone !== "checks") this.step(toNumber(step[1]), step[2]);
    else if (bullet?.[1] && this.zone === "checks") this.check(bullet[1]);
    else this.text(line);
  }

  private heading(title: string): void {
    if (this.zone === "intro" && this.map.title === null && this.map.intro.length === 0) {
      this.map.title = title;
      return;
    }
    this.zone = "checks";
    this.map.checksTitle = title;
    this.current = null;
  }

  /** A plan page that starts with a heading and bullets: the heading names the checklist, not the plan. */
  private headingIsChecklist(): void {
    this.map.checksTitle = this.map.title;
    this.map.title = null;
    this.zone = "checks";
  }

  private step(number: number, title: string): void {
    if (this.zone === "outro" || number !== this.map.steps.length + 1) this.valid = false;
    this.zone = "steps";
    this.current = { title, details: [] };
    this.map.steps.push(this.current);
  }

  private check(title: string): void {
    this.current = { title, details: [] };
    this.map.checks.push(this.current);
  }

  private text(line: string): void {
    if (this.zone === "intro") {
      this.map.intro.push(line);
      return;
    }
    this.zone = "outro";
    this.current = null;
    this.map.outro.push(line);
  }
}

/** A roadmap when the text holds steps numbered 1, 2, … (at least two) or a titled checklist. */
export function parseRoadmap(text: string): Roadmap | null {
  const builder = new RoadmapBuilder();
  for (const line of text.split(/\r?\n/)) builder.line(line);
  const { map } = builder;
  const hasSteps = map.steps.length >= 2;
  const hasChecks = map.checksTitle !== null && map.checks.length > 0;
  if (!builder.valid || (!hasSteps && !hasChecks)) return null;
  return map;
}

/** One step of the step-by-step view: "ステップ 2/5：title" followed by its text. */
export function parseStepGuide(text: string): StepGuide | null {
  const [first = "", ...rest] = text.trim().split(/\r?\n/);
  const head = GUIDE_HEAD.exec(first.trim());
  if (!head?.[1] || !head[2] || !head[3]) return null;
  const index = toNumber(head[1]);
  const total = toNumber(head[2]);
  if (index < 1 || total < index || total > 99) return null;
  const guide: StepGuide = { index, total, title: head[3], body: [], citation: null, link: null };
  for (const raw of rest) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith("出典：")) guide.citation = line.slice(3).trim();
    else if (line.startsWith("確認先：")) guide.link = line.slice(4).trim();
    else guide.body.push(line);
  }
  return guide;
}
