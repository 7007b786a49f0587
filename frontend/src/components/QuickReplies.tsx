interface QuickRepliesProps {
  items: string[];
  disabled: boolean;
  onPick(text: string): void;
}

export function QuickReplies({ items, disabled, onPick }: QuickRepliesProps) {
  if (items.length === 0) return null;
  return (
    <nav className="quick-replies" aria-label="よく選ばれる返信">
      <ul>
        {items.map((item) => (
          <li key={item}>
            <button type="button" className="chip" disabled={disabled} onClick={() => onPick(item)}>
              {item}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
