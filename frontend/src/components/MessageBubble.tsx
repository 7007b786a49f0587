import type { Rating } from "../api/types";
import type { AssistantMessage, HumanMessage, UserMessage } from "../chat/state";
import { parseRoadmap, parseStepGuide } from "../navigator/roadmap";
import { Feedback } from "./Feedback";
import { BotIcon } from "./icons";
import { RichText } from "./RichText";
import { RoadmapView, StepGuideView } from "./Roadmap";
import { SourceList } from "./SourceList";

const NAVIGATOR_MODE = "navigator";

function AnswerBody({ message }: { message: AssistantMessage }) {
  if (message.mode === NAVIGATOR_MODE) {
    const roadmap = parseRoadmap(message.text);
    if (roadmap) return <RoadmapView roadmap={roadmap} />;
    const guide = parseStepGuide(message.text);
    if (guide) return <StepGuideView guide={guide} />;
  }
  return <RichText text={message.text} />;
}

interface AssistantBubbleProps {
  message: AssistantMessage;
  feedback: Rating | undefined;
  onRate(messageId: string, rating: Rating, comment?: string): Promise<void>;
}

export function AssistantBubble({ message, feedback, onRate }: AssistantBubbleProps) {
  return (
    <li className="row row-assistant" data-message-id={message.id} data-mode={message.mode ?? undefined}>
      <span className="avatar" aria-hidden="true">
        <BotIcon />
      </span>
      <article className="bubble bubble-assistant" aria-label="サポートからの回答">
        <AnswerBody message={message} />
        <SourceList sources={message.sources} />
        {message.rateable && <Feedback messageId={message.id} given={feedback} onRate={onRate} />}
      </article>
    </li>
  );
}

export function StreamingBubble({ text }: { text: string }) {
  return (
    <li className="row row-assistant" data-streaming="true">
      <span className="avatar" aria-hidden="true">
        <BotIcon />
      </span>
      <div className="bubble bubble-assistant streaming">
        <RichText text={text} />
        <span className="caret" aria-hidden="true" />
      </div>
    </li>
  );
}

interface UserBubbleProps {
  message: UserMessage;
  onRetry(key: string): void;
  canRetry: boolean;
}

export function UserBubble({ message, onRetry, canRetry }: UserBubbleProps) {
  return (
    <li className="row row-user" data-status={message.status}>
      <div className="bubble bubble-user">
        <span className="visually-hidden">あなた：</span>
        <RichText text={message.text} />
      </div>
      {message.status === "sending" && <span className="send-status">送信中…</span>}
      {message.status === "failed" && (
        <div className="send-error" role="alert">
          <span>{message.error}</span>
          <button
            type="button"
            className="secondary"
            disabled={!canRetry}
            onClick={() => onRetry(message.key)}
          >
            再送する
          </button>
        </div>
      )}
    </li>
  );
}

export function HumanBubble({ message }: { message: HumanMessage }) {
  if (message.kind === "notice") {
    return (
      <li className="row row-notice" data-message-id={message.id}>
        <p className="notice-line">{message.text}</p>
      </li>
    );
  }
  return (
    <li className="row row-assistant row-operator" data-message-id={message.id}>
      <span className="avatar avatar-operator" aria-hidden="true">
        {(message.author ?? "担").slice(0, 1)}
      </span>
      <article
        className="bubble bubble-operator"
        aria-label={`オペレーター ${message.author ?? ""}からのメッセージ`}
      >
        <p className="operator-name">{message.author ?? "オペレーター"}</p>
        <RichText text={message.text} />
      </article>
    </li>
  );
}

export function OperatorTyping({ author }: { author: string }) {
  return (
    <p className="operator-typing" role="status">
      {author}さんが入力中…
    </p>
  );
}
