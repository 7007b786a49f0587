import { type FormEvent, useState } from "react";
import { customerMessage } from "../api/errors";
import type { ContactRequest, HandoffState } from "../api/types";

interface HandoffPanelProps {
  handoff: HandoffState | null;
  onCancel(): Promise<void>;
  onContact(contact: Omit<ContactRequest, "sessionId">): Promise<void>;
}

function minutes(seconds: number): string {
  return seconds < 60 ? "1分以内" : `約${Math.round(seconds / 60)}分`;
}

function hoursText(hours: string): string {
  return hours.trim().toLowerCase() === "always" ? "24時間" : hours;
}

function waitingText(handoff: HandoffState): string {
  if (!handoff.open) return `ただいまオペレーターの対応時間外です（対応時間: ${hoursText(handoff.hours)}）。`;
  if (!handoff.operatorsOnline) return "ただいま対応できるオペレーターがいません。";
  const place = handoff.position ? `${handoff.position}番目にお待ちです。` : "順番にご案内します。";
  const wait =
    handoff.estimatedWaitSeconds !== null
      ? `待ち時間の目安は${minutes(handoff.estimatedWaitSeconds)}です。`
      : "";
  return `オペレーターにおつなぎしています。${place}${wait}`;
}

function ContactForm({ onContact }: { onContact: HandoffPanelProps["onContact"] }) {
  const [method, setMethod] = useState<"phone" | "email">("phone");
  const [value, setValue] = useState("");
  const [preferredTime, setPreferredTime] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(null);
    try {
      await onContact({
        method,
        value: value.trim(),
        ...(preferredTime.trim() ? { preferredTime: preferredTime.trim() } : {}),
      });
    } catch (failure) {
      setError(customerMessage(failure));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="callback-form" onSubmit={submit} aria-label="折り返しのご連絡先">
      <p>折り返しのご連絡先を残していただければ、対応時間内に担当者からご連絡します。</p>
      <fieldset>
        <legend className="visually-hidden">連絡方法</legend>
        <label>
          <input
            type="radio"
            name="method"
            checked={method === "phone"}
            onChange={() => setMethod("phone")}
          />
          電話
        </label>
        <label>
          <input
            type="radio"
            name="method"
            checked={method === "email"}
            onChange={() => setMethod("email")}
          />
          メール
        </label>
      </fieldset>
      <label>
        {method === "phone" ? "電話番号" : "メールアドレス"}
        <input
          type={method === "phone" ? "tel" : "email"}
          value={value}
          required
          autoComplete={method === "phone" ? "tel" : "email"}
          onChange={(event) => setValue(event.target.value)}
        />
      </label>
      <label>
        ご希望の時間帯（任意）
        <input
          value={preferredTime}
          maxLength={100}
          onChange={(event) => setPreferredTime(event.target.value)}
        />
      </label>
      {error && (
        <p className="send-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="secondary" disabled={sending || !value.trim()}>
        連絡先を送信
      </button>
    </form>
  );
}

/** The honest state of a hand-off: place in the queue and wait, who is answering, or a call-back form. */
export function HandoffPanel({ handoff, onCancel, onContact }: HandoffPanelProps) {
  if (!handoff || !["waiting", "active", "missed"].includes(handoff.status)) return null;
  if (handoff.status === "active") {
    return (
      <section className="handoff-panel" aria-label="オペレーター対応">
        <p role="status">オペレーター（{handoff.operator ?? "担当者"}）が対応しています。</p>
      </section>
    );
  }
  return (
    <section className="handoff-panel" aria-label="オペレーター対応">
      <p role="status">
        {handoff.status === "waiting"
          ? waitingText(handoff)
          : `ただいまオペレーターの対応時間外です（対応時間: ${hoursText(handoff.hours)}）。`}
      </p>
      {handoff.status === "waiting" && (
        <button type="button" className="secondary" onClick={() => void onCancel()}>
          おつなぎを取り消す
        </button>
      )}
      {handoff.callbackOffered &&
        (handoff.callbackLeft ? (
          <p className="callback-done" role="status">
            折り返しのご連絡先を承りました。
          </p>
        ) : (
          <ContactForm onContact={onContact} />
        ))}
    </section>
  );
}
