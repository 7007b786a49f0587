import { shortLabel } from "../chat/labels";

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
        {items.map((item) => {
          const label = shortLabel(item);
          return (
            <li key={item}>
              <button
                type="button"
                className="chip"
                disabled={disabled}
                title={label === item ? undefined : item}
                onClick={() => onPick(item)}
              >
                {label}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
