import type { Day } from "../api/types";
import { ColumnChart, LineChart, type Point } from "../components/charts";
import { ErrorNote, Loading } from "../components/common";
import { DayWindowSelect, useDayWindow } from "../components/DayWindow";
import { HandoffCharts } from "../components/HandoffCharts";
import { useConsole, useLoad } from "../context";
import { label, MODE_LABELS, millis, percent } from "../format";

export function series(days: Day[], pick: (day: Day) => number | null): Point[] {
  return days.map((day) => ({
    label: day.date ? day.date.slice(5).replace("-", "/") : "—",
    value: pick(day),
  }));
}

function Figure({ title, value, detail }: { title: string; value: string; detail?: string }) {
  return (
    <div className="figure">
      <span className="figure-title">{title}</span>
      <strong className="figure-value">{value}</strong>
      {detail && <span className="muted small">{detail}</span>}
    </div>
  );
}

export function AnalyticsPage() {
  const { api } = useConsole();
  const period = useDayWindow();
  const window = period.range;
  const report = useLoad(() => api.analytics(window, 10), `${window.from}:${window.to}`);
  const data = report.data;
  const count = (value: number) => String(Math.round(value));
  const ratio = (value: number) => percent(value);

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">分析</h1>
      <div className="filters">
        <DayWindowSelect window={period} />
        {data && (
          <span className="muted small">
            {data.from} 〜 {data.to}（{data.timezone}）
          </span>
        )}
      </div>
      <ErrorNote message={report.error} />
      <Loading show={report.loading && !data} />
      {data && (
        <>
          <section className="figures" aria-label="期間の合計">
            <Figure
              title="会話数"
              value={String(data.totals.conversations)}
              detail={`${data.totals.turns} 往復`}
            />
            <Figure
              title="解決率"
              value={percent(data.totals.resolutionRate)}
              detail="十分な信頼度で回答し、有人対応・低評価のない会話"
            />
            <Figure
              title="有人対応率"
              value={percent(data.totals.handoffRate)}
              detail={`${data.totals.handoffs} 件`}
            />
            <Figure
              title="高評価の割合"
              value={percent(data.totals.feedbackRatio)}
              detail={`高評価 ${data.totals.thumbsUp} / 低評価 ${data.totals.thumbsDown}`}
            />
            <Figure
              title="応答時間"
              value={millis(data.totals.latencyP50Ms)}
              detail={`中央値（95% ${millis(data.totals.latencyP95Ms)}）`}
            />
          </section>
          <div className="charts">
            <ColumnChart
              title="1日の会話数"
              points={series(data.days, (day) => day.conversations)}
              format={count}
            />
            <LineChart
              title="解決率"
              points={series(data.days, (day) => day.resolutionRate)}
              format={ratio}
              max={1}
            />
            <LineChart
              title="有人対応率"
              points={series(data.days, (day) => day.handoffRate)}
              format={ratio}
              max={1}
            />
            <LineChart
              title="高評価の割合（評価のうち）"
              points={series(data.days, (day) => day.feedbackRatio)}
              format={ratio}
              max={1}
            />
            <LineChart
              title="応答時間（中央値）"
              points={series(data.days, (day) => day.latencyP50Ms)}
              format={millis}
            />
          </div>
          <div className="grid-2">
            <section className="panel" aria-labelledby="top-questions">
              <h2 id="top-questions">よくある質問</h2>
              {data.topQuestions.length === 0 ? (
                <p>まだ質問はありません。</p>
              ) : (
                <ol>
                  {data.topQuestions.map((item) => (
                    <li key={item.question}>
                      {item.question} <span className="muted">（{item.count} 回）</span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section className="panel" aria-labelledby="modes">
              <h2 id="modes">返答の種類</h2>
              <ul>
                {Object.entries(data.modes).map(([mode, value]) => (
                  <li key={mode}>
                    {label(MODE_LABELS, mode)}: {value}
                  </li>
                ))}
              </ul>
            </section>
          </div>
          <HandoffCharts window={window} />
        </>
      )}
    </section>
  );
}
