import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { ApiError } from "../api/errors";
import type { AdminApi } from "./api/endpoints";
import type { User } from "./api/types";

export interface Console {
  api: AdminApi;
  user: User;
  /** Today in Japan time (YYYY-MM-DD); injectable for tests. */
  today: () => string;
  /** The console's clock (injectable for tests); date windows are days of it in Japan time. */
  now: () => Date;
}

export const ConsoleContext = createContext<Console | null>(null);

export function useConsole(): Console {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error("useConsole outside the console");
  return value;
}

export function canEdit(user: User): boolean {
  return user.role === "admin" || user.role === "operator";
}

/** The text to show an operator for any thrown value. */
export function operatorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "network_error") return "サーバーに接続できませんでした。通信状態を確認してください。";
    if (error.code === "timeout") return "応答がありませんでした。しばらくしてからもう一度お試しください。";
    if (error.status === 403) return error.message || "この操作を行う権限がありません。";
    // The server says how long to wait (the sign-in throttle names the minutes).
    if (error.status === 429)
      return error.message || "リクエストが多すぎます。少し待ってからもう一度お試しください。";
    if (error.message) return error.message;
    if (error.status !== null && error.status >= 500) return "サーバーでエラーが発生しました。";
  }
  return "処理に失敗しました。もう一度お試しください。";
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Loads `load()` whenever `key` changes; the latest call wins. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` depends on
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState({ data: null, error: operatorMessage(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { ...state, reload };
}
