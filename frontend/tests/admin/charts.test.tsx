import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ColumnChart, LineChart, labelIndexes, niceMax } from "../../src/admin/components/charts";
import { millis, percent } from "../../src/admin/format";

describe("chart scales", () => {
  it.each([
    [0, 1],
    [0.7, 1],
    [3, 5],
    [12, 20],
    [51, 100],
    [1000, 1000],
  ])("niceMax(%d) = %d", (max, expected) => {
    expect(niceMax(max)).toBe(expected);
  });

  it.each([
    [0, []],
    [3, [0, 1, 2]],
    [30, [0, 5, 10, 15, 20, 25, 29]],
  ])("labels for %d days", (count, expected) => {
    expect(labelIndexes(count)).toEqual(expected);
  });
});

describe("charts", () => {
  const points = [
    { label: "11/27", value: 4 },
    { label: "11/28", value: 0 },
    { label: "11/29", value: 10 },
  ];

  it("draws one column per day, scaled to the nice maximum", () => {
    const { container } = render(<ColumnChart title="1日の会話数" points={points} format={String} />);
    const heights = [...container.querySelectorAll("rect")].map((rect) =>
      Number(rect.getAttribute("height")),
    );
    expect(heights).toHaveLength(3);
    expect(heights[0]).toBeCloseTo(heights[2] ? heights[2] * 0.4 : Number.NaN);
    expect(heights[1]).toBe(0);
    expect(container.querySelector("svg")?.getAttribute("aria-label")).toContain("11/29: 10");
  });

  it("breaks the line on days without data", () => {
    const gaps = [
      { label: "11/26", value: 0.5 },
      { label: "11/27", value: 0.75 },
      { label: "11/28", value: null },
      { label: "11/29", value: 1 },
    ];
    const { container } = render(
      <LineChart title="解決率" points={gaps} format={(v) => percent(v)} max={1} />,
    );
    expect(container.querySelectorAll("polyline")).toHaveLength(2);
    expect(container.querySelectorAll("circle")).toHaveLength(3);
    expect(container.querySelector("svg")?.getAttribute("aria-label")).toContain("11/28: —");
  });
});

describe("the value axis", () => {
  it("never prints the same label twice (latency of about a millisecond)", () => {
    const latency = [
      { label: "11/28", value: 0.4 },
      { label: "11/29", value: 0.9 },
    ];
    const { container } = render(<LineChart title="応答時間（中央値）" points={latency} format={millis} />);
    const labels = [...container.querySelectorAll("text.axis")]
      .map((text) => text.textContent ?? "")
      .filter((text) => text.endsWith("ms"));
    expect(labels).toEqual(["0 ms", "1 ms"]);
  });
});
