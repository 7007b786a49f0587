import { useEffect, useRef } from "react";
import type { Rating } from "../api/types";
import type { ChatState } from "../chat/state";
import { BotIcon } from "./icons";
import { AssistantBubble, HumanBubble, OperatorTyping, StreamingBubble, UserBubble } from "./MessageBubble";
import { TypingIndicator } from "./TypingIndicator";

export const WELCOME =
  "こんにちは。携帯電話の番号そのままの乗り換え（MNP）について、お気軽にご質問ください。下のボタンからも選べます。";

interface MessageListProps {
  state: ChatState;
  onRetry(key: string): void;
  onRate(messageId: string, rating: Rating, comment?: string): Promise<void>;
}

/**
 * Keeps the newest content in view: the bottom while a question or a streamed answer grows, and the start of
 * a finished answer, so a long plan is read from its beginning rather than its end.
 */
function useFollowConversation(state: ChatState) {
  const ref = useRef<HTMLDivElement>(null);
  const last = state.messages[state.messages.length - 1];
  const anchor = last?.kind === "assistant" && state.pending === null ? last.key : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the content changes
  useEffect(() => {
    const scroller = ref.current;
    if (!scroller) return;
    const answers = scroller.querySelectorAll<HTMLElement>("[data-message-id]");
    const answer = Array.from(answers).find((element) => element.dataset.messageId === anchor);
    scroller.scrollTop = answer ? answer.offsetTop - 8 : scroller.scrollHeight;
  }, [anchor, state.messages.length, state.streamText, state.pending]);
  return ref;
}

export function MessageList({ state, onRetry, onRate }: MessageListProps) {
  const streaming = state.pending !== null;
  const scroller = useFollowConversation(state);
  return (
    <div className="messages-scroller" ref={scroller}>
      <h2 className="visually-hidden">会話</h2>
      <p className="welcome">
        <span className="avatar" aria-hidden="true">
          <BotIcon />
        </span>
        <span className="bubble bubble-assistant">{WELCOME}</span>
      </p>
      {state.restoring && <p className="restoring">前回の会話を読み込んでいます…</p>}
      <div role="log" aria-live="polite" aria-busy={streaming} aria-label="会話の履歴">
        <ol className="messages">
          {state.messages.map((message) =>
            message.kind === "user" ? (
              <UserBubble key={message.key} message={message} onRetry={onRetry} canRetry={!streaming} />
            ) : message.kind === "assistant" ? (
              <AssistantBubble
                key={message.key}
                message={message}
                feedback={state.feedback[message.id]}
                onRate={onRate}
              />
            ) : (
              <HumanBubble key={message.key} message={message} />
            ),
          )}
          {streaming && state.streamText ? <StreamingBubble text={state.streamText} /> : null}
        </ol>
      </div>
      {streaming && !state.streamText && state.handoff?.status !== "active" && <TypingIndicator />}
      {state.operatorTyping && <OperatorTyping author={state.operatorTyping} />}
    </div>
  );
}
