import { useEffect, useRef } from "react";
import type { Rating } from "../api/types";
import type { ChatState } from "../chat/state";
import { BotIcon } from "./icons";
import { AssistantBubble, StreamingBubble, UserBubble } from "./MessageBubble";
import { TypingIndicator } from "./TypingIndicator";

export const WELCOME =
  "こんにちは。携帯電話の番号そのままの乗り換え（MNP）について、お気軽にご質問ください。下のボタンからも選べます。";

interface MessageListProps {
  state: ChatState;
  onRetry(key: string): void;
  onRate(messageId: string, rating: Rating, comment?: string): Promise<void>;
}

function useStickToBottom(dependency: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the content changes
  useEffect(() => {
    const element = ref.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [dependency]);
  return ref;
}

export function MessageList({ state, onRetry, onRate }: MessageListProps) {
  const streaming = state.pending !== null;
  const scroller = useStickToBottom([state.messages, state.streamText, state.pending]);
  return (
    <div className="messages-scroller" ref={scroller}>
      <p className="welcome">
        <span className="avatar" aria-hidden="true">
          <BotIcon />
        </span>
        <span className="bubble bubble-assistant">{WELCOME}</span>
      </p>
      {state.restoring && <p className="restoring">前回の会話を読み込んでいます…</p>}
      <ol className="messages" role="log" aria-live="polite" aria-busy={streaming} aria-label="会話の履歴">
        {state.messages.map((message) =>
          message.kind === "user" ? (
            <UserBubble key={message.key} message={message} onRetry={onRetry} canRetry={!streaming} />
          ) : (
            <AssistantBubble
              key={message.key}
              message={message}
              feedback={state.feedback[message.id]}
              onRate={onRate}
            />
          ),
        )}
        {streaming && state.streamText ? <StreamingBubble text={state.streamText} /> : null}
      </ol>
      {streaming && !state.streamText && <TypingIndicator />}
    </div>
  );
}
