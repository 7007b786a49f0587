// Inline icons: emoji fonts are missing on many devices, so the UI never depends on them.

export function BotIcon() {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path d="M11 2h2v3h-2z" fill="#06803f" />
      <rect x="4" y="5" width="16" height="13" rx="4" fill="#06803f" />
      <circle cx="9" cy="11" r="1.6" fill="#fff" />
      <circle cx="15" cy="11" r="1.6" fill="#fff" />
      <path d="M9 14.5h6" stroke="#fff" strokeWidth="1.4" strokeLinecap="round" />
      <path d="M8 18h8l-4 3z" fill="#06803f" />
    </svg>
  );
}

const THUMB =
  "M8 10l4-7c1-.6 2.6 0 2.5 1.6L13.7 9h5.8c1.1 0 1.9 1 1.7 2.1l-1.4 8.2c-.2 1-1 1.7-2 1.7H8zM2.5 10H6v11H2.5z";

export function ThumbIcon({ down = false }: { down?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={THUMB} fill="currentColor" transform={down ? "rotate(180 12 12)" : undefined} />
    </svg>
  );
}
