import { type FormEvent, useId, useState } from "react";
import type { Rating } from "../api/types";
import { ThumbIcon } from "./icons";

interface FeedbackProps {
  messageId: string;
  given: Rating | undefined;
  onRate(messageId: string, rating: Rating, comment?: string): Promise<void>;
}

type Phase = "idle" | "saving" | "error";

export function Feedback({ messageId, given, onRate }: FeedbackProps) {
  const [phase, setPhase] = useState<Phase>("idle");
  const [commentOpen, setCommentOpen] = useState(false);

  const rate = async (rating: Rating, comment?: string) => {
    setPhase("saving");
    try {
      await onRate(messageId, rating, comment);
      setPhase("idle");
      setCommentOpen(rating === "down" && comment === undefined);
    } catch {
      setPhase("error");
    }
  };

  return (
    <div className="feedback">
      <fieldset className="feedback-buttons" disabled={phase === "saving"}>
        <legend className="visually-hidden">この回答は役に立ちましたか？</legend>
        <RateButton rating="up" given={given} onClick={rate} />
        <RateButton rating="down" given={given} onClick={rate} />
      </fieldset>
      <p className="feedback-status" aria-live="polite">
        {phase === "error" && (
          <span className="error-text">送信できませんでした。もう一度お試しください。</span>
        )}
        {phase === "idle" && given && !commentOpen && "ご評価ありがとうございます。"}
      </p>
      {commentOpen && <CommentForm onSubmit={(comment) => rate("down", comment)} />}
    </div>
  );
}

const LABELS: Record<Rating, string> = { up: "役に立った", down: "役に立たなかった" };

function RateButton(props: { rating: Rating; given: Rating | undefined; onClick(rating: Rating): void }) {
  const label = LABELS[props.rating];
  return (
    <button
      type="button"
      className="rate"
      aria-pressed={props.given === props.rating}
      onClick={() => props.onClick(props.rating)}
    >
      <ThumbIcon down={props.rating === "down"} />
      <span>{label}</span>
    </button>
  );
}

function CommentForm({ onSubmit }: { onSubmit(comment: string): void }) {
  const [comment, setComment] = useState("");
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (comment.trim()) onSubmit(comment.trim());
  };
  return (
    <form className="feedback-comment" onSubmit={submit}>
      <label htmlFor={id}>よろしければ、足りなかった点を教えてください（任意）</label>
      <textarea
        id={id}
        value={comment}
        maxLength={500}
        rows={2}
        onChange={(e) => setComment(e.target.value)}
      />
      <button type="submit" className="secondary" disabled={!comment.trim()}>
        送信する
      </button>
    </form>
  );
}
