import { useState } from "react";
import { useConsole } from "../context";
import { japanDay } from "../format";

const WINDOWS = [7, 30, 90];

export interface DayWindow {
  days: number;
  setDays: (days: number) => void;
  /** The last `days` days (Japan time) of the console's clock, today included. */
  range: { from: string; to: string };
}

export function useDayWindow(initialDays = 30): DayWindow {
  const { now } = useConsole();
  const [days, setDays] = useState(initialDays);
  const today = now();
  return { days, setDays, range: { from: japanDay(today, days - 1), to: japanDay(today) } };
}

export function DayWindowSelect({ window }: { window: DayWindow }) {
  return (
    <label>
      期間
      <select value={window.days} onChange={(event) => window.setDays(Number(event.target.value))}>
        {WINDOWS.map((value) => (
          <option key={value} value={value}>
            直近 {value} 日
          </option>
        ))}
      </select>
    </label>
  );
}
