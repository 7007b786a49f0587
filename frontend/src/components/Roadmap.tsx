import type { Roadmap, Section, StepGuide } from "../navigator/roadmap";
import { RichText } from "./RichText";

function Details({ lines }: { lines: string[] }) {
  if (lines.length === 0) return null;
  return (
    <div className="details">
      {lines.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one immutable text
        <RichText key={index} text={line} />
      ))}
    </div>
  );
}

function Step({ step, number }: { step: Section; number: number }) {
  return (
    <li className="timeline-step">
      <span className="timeline-marker" aria-hidden="true">
        {number}
      </span>
      <div className="timeline-content">
        <h4 className="timeline-title">
          <span className="visually-hidden">ステップ{number}：</span>
          {step.title}
        </h4>
        <Details lines={step.details} />
      </div>
    </li>
  );
}

/** The navigator's whole plan as a vertical timeline with the after-switch checklist. */
export function RoadmapView({ roadmap }: { roadmap: Roadmap }) {
  return (
    <div className="roadmap">
      {roadmap.title && <h3 className="roadmap-title">{roadmap.title}</h3>}
      <Details lines={roadmap.intro} />
      {roadmap.steps.length > 0 && (
        <ol className="timeline" aria-label="乗り換えの手順">
          {roadmap.steps.map((step, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: steps of one immutable answer
            <Step key={`${index}:${step.title}`} step={step} number={index + 1} />
          ))}
        </ol>
      )}
      {roadmap.checks.length > 0 && (
        <section className="checklist">
          <h4 className="checklist-title">{roadmap.checksTitle}</h4>
          <ul>
            {roadmap.checks.map((check, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: items of one immutable answer
              <li className="checklist-item" key={`${index}:${check.title}`}>
                <strong>{check.title}</strong>
                <Details lines={check.details} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <Details lines={roadmap.outro} />
    </div>
  );
}

/** One step of the step-by-step guide, with where it stands in the plan. */
export function StepGuideView({ guide }: { guide: StepGuide }) {
  const steps = Array.from({ length: guide.total }, (_, index) => index + 1);
  return (
    <div className="step-guide">
      <p className="step-progress">
        ステップ {guide.index} / {guide.total}
      </p>
      <ol className="step-dots" aria-hidden="true">
        {steps.map((step) => (
          <li key={step} className={step < guide.index ? "done" : step === guide.index ? "current" : ""} />
        ))}
      </ol>
      <h3 className="step-title">{guide.title}</h3>
      <Details lines={guide.body} />
      {guide.link && (
        <p className="step-link">
          確認先：
          <RichText text={guide.link} inline />
        </p>
      )}
      {guide.citation && <p className="step-citation">出典：{guide.citation}</p>}
    </div>
  );
}
