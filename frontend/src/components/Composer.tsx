import { type FormEvent, type KeyboardEvent, type RefObject, useState } from "react";

export const MAX_MESSAGE_CHARS = 1000;
const COUNTER_FROM = 900;
const MAX_HEIGHT_PX = 160;

function fitHeight(input: HTMLTextAreaElement | null) {
  if (!input) return;
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
}

interface ComposerProps {
  disabled: boolean;
  busy: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  onSend(text: string): void;
  onTyping?(): void;
}

export function Composer({ disabled, busy, inputRef, onSend, onTyping }: ComposerProps) {
  const [text, setText] = useState("");
  const canSend = !disabled && !busy && text.trim().length > 0;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text.trim());
    setText("");
    requestAnimationFrame(() => fitHeight(inputRef.current));
    inputRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter while a Japanese IME is composing confirms the conversion; it must not send.
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing || event.keyCode === 229)
      return;
    event.preventDefault();
    submit();
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="chat-input" className="visually-hidden">
        メッセージ
      </label>
      <textarea
        id="chat-input"
        ref={inputRef}
        value={text}
        rows={1}
        maxLength={MAX_MESSAGE_CHARS}
        placeholder={disabled ? "オフラインのため送信できません" : "メッセージを入力"}
        aria-describedby="chat-input-hint"
        enterKeyHint="send"
        disabled={disabled}
        onChange={(event) => {
          setText(event.target.value);
          fitHeight(event.target);
          onTyping?.();
        }}
        onKeyDown={onKeyDown}
      />
      <span id="chat-input-hint" className="visually-hidden">
        Enterキーで送信、Shift+Enterで改行します。{MAX_MESSAGE_CHARS}文字まで入力できます。
      </span>
      {text.length >= COUNTER_FROM && (
        <span className="counter" aria-live="polite">
          あと{MAX_MESSAGE_CHARS - text.length}文字
        </span>
      )}
      <button type="submit" className="send" disabled={!canSend} aria-label="送信">
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <path d="M3 20.5 21 12 3 3.5v6.6l12.6 1.9L3 13.9z" fill="currentColor" />
        </svg>
      </button>
    </form>
  );
}
