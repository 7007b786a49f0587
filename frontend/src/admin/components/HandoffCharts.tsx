import { useMemo } from "react";
import { HandoffApi } from "../api/handoff";
import { useConsole, useLoad } from "../context";
import { waited } from "../templates";
import { ColumnChart, LineChart } from "./charts";
import { ErrorNote } from "./common";

function seconds(value: number | null): string {
  return value === null ? "—" : waited(Math.round(value));
}

/** Hand-off figures of the window: requests, waits, first responses, abandoned, per operator. */
export function HandoffCharts({ window }: { window: { from: string; to: string } }) {
  const { api } = useConsole();
  const handoffs = useMemo(() => new HandoffApi(api.http), [api]);
  const stats = useLoad(() => handoffs.stats(window), `handoff-${window.from}:${window.to}`);
  const data = stats.data;
  const day = (date: string) => date.slice(5).replace("-", "/");
  return (
    <section className="panel" aria-labelledby="handoff-stats">
      <h2 id="handoff-stats">有人対応</h2>
      <ErrorNote message={stats.error} />
      {data && (
        <>
          <p>
            依頼 {data.requests} 件 ・ 解決 {data.resolved} 件 ・ 取り下げ {data.abandoned} 件 ・ 時間外{" "}
            {data.missed} 件 ・ 現在の待機 {data.waiting} 件
          </p>
          <p>
            待ち時間 中央値 {seconds(data.waitP50Seconds)}（90% {seconds(data.waitP90Seconds)}） ・ 初回応答
            中央値 {seconds(data.firstResponseP50Seconds)}（90% {seconds(data.firstResponseP90Seconds)}）
          </p>
          <div className="charts">
            <ColumnChart
              title="1日の有人対応の依頼"
              points={data.days.map((item) => ({ label: day(item.date), value: item.requests }))}
              format={(value) => String(Math.round(value))}
            />
            <ColumnChart
              title="取り下げ（待ちきれず）"
              points={data.days.map((item) => ({ label: day(item.date), value: item.abandoned }))}
              format={(value) => String(Math.round(value))}
            />
            <LineChart
              title="待ち時間（中央値・秒）"
              points={data.days.map((item) => ({ label: day(item.date), value: item.waitP50Seconds }))}
              format={(value) => seconds(value)}
            />
            <LineChart
              title="初回応答までの時間（中央値・秒）"
              points={data.days.map((item) => ({
                label: day(item.date),
                value: item.firstResponseP50Seconds,
              }))}
              format={(value) => seconds(value)}
            />
          </div>
          <h3>オペレーター別</h3>
          {data.operators.length === 0 ? (
            <p>まだ対応はありません。</p>
          ) : (
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">オペレーター</th>
                  <th scope="col">対応</th>
                  <th scope="col">解決</th>
                </tr>
              </thead>
              <tbody>
                {data.operators.map((row) => (
                  <tr key={row.operator}>
                    <td>{row.operator}</td>
                    <td>{row.conversations}</td>
                    <td>{row.resolved}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
