import type { MouseEvent, ReactNode } from "react";
import { navigate } from "../router";

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className}>
      {children}
    </a>
  );
}

export function ErrorNote({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="admin-error" role="alert">
      {message}
    </p>
  );
}

export function Notice({ message }: { message: string | null }) {
  return (
    <p className="admin-notice" role="status">
      {message ?? ""}
    </p>
  );
}

export function Loading({ show }: { show: boolean }) {
  return show ? <p className="admin-loading">読み込み中…</p> : null;
}

export function Badge({ tone, children }: { tone: "ok" | "warn" | "bad" | "plain"; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** 前へ / 次へ over a list served `pageSize` items at a time from `offset`. */
export function Pager({
  offset,
  pageSize,
  total,
  onChange,
}: {
  offset: number;
  pageSize: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  return (
    <div className="pager">
      <button type="button" disabled={offset === 0} onClick={() => onChange(offset - pageSize)}>
        前へ
      </button>
      <button type="button" disabled={offset + pageSize >= total} onClick={() => onChange(offset + pageSize)}>
        次へ
      </button>
    </div>
  );
}
