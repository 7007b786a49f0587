import { type RefObject, useCallback, useEffect, useRef } from "react";
import { currentQuickReplies, withHuman } from "../chat/state";
import { type ChatDeps, useChat } from "../chat/useChat";
import { Composer } from "./Composer";
import { HandoffPanel } from "./HandoffPanel";
import { MessageList } from "./MessageList";
import { QuickReplies } from "./QuickReplies";
import { StatusBanner } from "./StatusBanner";

export const OPERATOR_REQUEST = "オペレーターと話す";
export const STARTERS = ["乗り換えナビ", "予約番号の取り方", "手数料はいくら？", OPERATOR_REQUEST];
export const CLOSE_MESSAGE = "mnp-chat:close";
export const READY_MESSAGE = "mnp-chat:ready";
export const FOCUS_MESSAGE = "mnp-chat:focus";

function closeWidget() {
  window.parent.postMessage({ type: CLOSE_MESSAGE }, "*");
}

/** In the widget's iframe, Escape closes the panel (the host page never sees keys typed in the frame). */
function useEscapeCloses(embedded: boolean) {
  useEffect(() => {
    if (!embedded) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.isComposing) closeWidget();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [embedded]);
}

/** In the widget's iframe: tell the page the chat started (so it was allowed to frame it) and take keyboard
 * focus into the message box when the page opens the panel. */
function useWidgetLink(embedded: boolean, inputRef: RefObject<HTMLTextAreaElement | null>) {
  useEffect(() => {
    if (!embedded || window.parent === window) return;
    const onMessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (event.source !== window.parent || typeof data !== "object" || data === null) return;
      if ((data as { type?: unknown }).type === FOCUS_MESSAGE) inputRef.current?.focus();
    };
    window.addEventListener("message", onMessage);
    window.parent.postMessage({ type: READY_MESSAGE }, "*");
    return () => window.removeEventListener("message", onMessage);
  }, [embedded, inputRef]);
}

interface ChatAppProps {
  deps: ChatDeps;
  embedded?: boolean;
}

export function ChatApp({ deps, embedded = false }: ChatAppProps) {
  const chat = useChat(deps);
  const { state } = chat;
  const inputRef = useRef<HTMLTextAreaElement>(null);
  useEscapeCloses(embedded);
  useWidgetLink(embedded, inputRef);
  const busy = state.pending !== null;
  const quickReplies =
    state.messages.length === 0 && !state.restoring && !busy ? STARTERS : currentQuickReplies(state);

  const pick = useCallback(
    (text: string) => {
      // Keep keyboard focus in the chat, but do not pop up a phone's keyboard after a tap on a button.
      if (!window.matchMedia?.("(pointer: coarse)").matches) inputRef.current?.focus();
      void chat.send(text);
    },
    [chat.send],
  );

  return (
    <div className={embedded ? "chat chat-embedded" : "chat"}>
      <header className="chat-header">
        <div className="chat-heading">
          <h1>MNP乗り換えサポート</h1>
          <p className="chat-subtitle">番号そのままの乗り換えをご案内します</p>
        </div>
        <button
          type="button"
          className="operator"
          disabled={busy || !state.online || withHuman(state)}
          onClick={() => pick(OPERATOR_REQUEST)}
        >
          {OPERATOR_REQUEST}
        </button>
        {embedded && (
          <button type="button" className="close" aria-label="チャットを閉じる" onClick={closeWidget}>
            ×
          </button>
        )}
      </header>
      <StatusBanner
        online={state.online}
        connection={state.connection}
        notice={state.notice}
        onDismissNotice={chat.dismissNotice}
      />
      <HandoffPanel handoff={state.handoff} onCancel={chat.cancelHandoff} onContact={chat.leaveContact} />
      <main className="chat-main">
        <MessageList state={state} onRetry={(key) => void chat.retry(key)} onRate={chat.giveFeedback} />
      </main>
      <footer className="chat-footer">
        <QuickReplies items={quickReplies} disabled={busy || !state.online} onPick={pick} />
        <Composer
          disabled={!state.online}
          busy={busy}
          inputRef={inputRef}
          onSend={pick}
          onTyping={chat.typing}
        />
      </footer>
    </div>
  );
}
