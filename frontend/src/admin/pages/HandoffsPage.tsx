import { type FormEvent, useEffect, useMemo, useState } from "react";
import {
  HandoffApi,
  type HandoffDetail,
  type HandoffItem,
  type HandoffSettings,
  type PresenceStatus,
} from "../api/handoff";
import { Badge, ErrorNote, Link, Loading } from "../components/common";
import { canEdit, operatorMessage, useConsole, useLoad } from "../context";
import { formatDateTime } from "../format";
import { useLive } from "../live";
import { BASE, navigate } from "../router";
import { CHANNELS, OUTCOMES, REASONS, STATUSES, TEMPLATES, waited } from "../templates";

const PRESENCE: { value: PresenceStatus; label: string }[] = [
  { value: "online", label: "対応可能" },
  { value: "away", label: "離席中" },
  { value: "offline", label: "オフライン" },
];

const SPEAKERS: Record<string, string> = {
  user: "お客さま",
  assistant: "ボット",
  operator: "オペレーター",
  system: "お知らせ",
};

function useHandoffApi(): HandoffApi {
  const { api } = useConsole();
  return useMemo(() => new HandoffApi(api.http), [api]);
}

function PresenceBar({ handoffs }: { handoffs: HandoffApi }) {
  const { user } = useConsole();
  const live = useLive();
  const mine = useLoad(() => handoffs.myPresence(), "presence");
  const [status, setStatus] = useState<PresenceStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = status ?? mine.data?.status ?? "offline";
  const change = async (next: PresenceStatus) => {
    setError(null);
    try {
      setStatus((await handoffs.setPresence(next)).status);
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  return (
    <div className="presence-bar">
      {canEdit(user) && (
        <label>
          在席状況
          <select value={current} onChange={(event) => void change(event.target.value as PresenceStatus)}>
            {PRESENCE.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="inline">
        <input
          type="checkbox"
          checked={live.sound}
          onChange={(event) => live.setSound(event.target.checked)}
        />
        新着を音で知らせる
      </label>
      <ErrorNote message={error} />
    </div>
  );
}

function QueueList({
  title,
  items,
  selected,
}: {
  title: string;
  items: HandoffItem[];
  selected: string | null;
}) {
  return (
    <section aria-label={title}>
      <h2>
        {title}（{items.length}）
      </h2>
      {items.length === 0 && <p className="muted small">ありません</p>}
      <ul className="queue">
        {items.map((item) => (
          <li key={item.id} className={item.id === selected ? "queue-item current" : "queue-item"}>
            <Link to={`${BASE}/handoffs/${item.id}`}>
              <span className="queue-head">
                <Badge tone={item.status === "waiting" ? "warn" : "ok"}>
                  {STATUSES[item.status] ?? item.status}
                </Badge>
                <span>{REASONS[item.reason] ?? item.reason}</span>
                <span className="muted small">
                  {CHANNELS[item.channel] ?? item.channel} ・ 待ち {waited(item.waitingSeconds)}
                  {item.operator ? ` ・ ${item.operator}` : ""}
                </span>
              </span>
              {item.preview && <span className="queue-preview">{item.preview}</span>}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Composer({
  handoffs,
  detail,
  onDone,
}: {
  handoffs: HandoffApi;
  detail: HandoffDetail;
  onDone: () => void;
}) {
  const live = useLive();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<{ id: string; question: string; answer: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const id = detail.handoff.id;
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setError(null);
    try {
      await handoffs.reply(id, text.trim());
      setText("");
      onDone();
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (!query.trim()) return;
    try {
      setHits((await handoffs.searchFaqs(query.trim())).results);
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  return (
    <div className="reply-box">
      <form onSubmit={send}>
        <label htmlFor="operator-reply">お客さまへの返信</label>
        <textarea
          id="operator-reply"
          rows={3}
          maxLength={1000}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            live.operatorTyping(id);
          }}
        />
        <button type="submit" disabled={!text.trim()}>
          送信
        </button>
      </form>
      <details className="canned">
        <summary>定型文・FAQの回答</summary>
        <ul className="template-list">
          {TEMPLATES.map((template) => (
            <li key={template.title}>
              <button type="button" className="link-button" onClick={() => setText(template.text)}>
                {template.title}
              </button>
            </li>
          ))}
        </ul>
        <form onSubmit={search} className="faq-search">
          <label>
            FAQを検索
            <input value={query} onChange={(event) => setQuery(event.target.value)} />
          </label>
          <button type="submit">検索</button>
        </form>
        <ul className="template-list">
          {hits.map((hit) => (
            <li key={hit.id}>
              <button type="button" className="link-button" onClick={() => setText(hit.answer)}>
                {hit.question}
              </button>
            </li>
          ))}
        </ul>
      </details>
      <ErrorNote message={error} />
    </div>
  );
}

function Actions({
  handoffs,
  detail,
  onDone,
}: {
  handoffs: HandoffApi;
  detail: HandoffDetail;
  onDone: () => void;
}) {
  const { user } = useConsole();
  const live = useLive();
  const operators = useLoad(() => handoffs.operators(), `operators-${live.version}`);
  const [outcome, setOutcome] = useState("solved");
  const [note, setNote] = useState("");
  const [target, setTarget] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = detail.handoff.id;
  const act = async (action: () => Promise<unknown>, leave = false) => {
    setError(null);
    try {
      await action();
      if (leave) navigate(`${BASE}/handoffs`);
      else onDone();
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  const others = (operators.data?.items ?? []).filter(
    (member) => member.userId !== user.id && member.status === "online",
  );
  return (
    <div className="handoff-actions">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => handoffs.resolve(id, outcome, note.trim() || undefined), true);
        }}
      >
        <label>
          結果
          <select value={outcome} onChange={(event) => setOutcome(event.target.value)}>
            {OUTCOMES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          対応メモ（任意）
          <input value={note} maxLength={1000} onChange={(event) => setNote(event.target.value)} />
        </label>
        <button type="submit">解決して終了</button>
      </form>
      <div className="button-row">
        <button type="button" onClick={() => void act(() => handoffs.resolve(id, "returned_to_bot"), true)}>
          ボットに戻す
        </button>
        <button type="button" onClick={() => void act(() => handoffs.release(id), true)}>
          待機列に戻す
        </button>
      </div>
      <div className="button-row">
        <label>
          引き継ぎ先
          <select value={target} onChange={(event) => setTarget(event.target.value)}>
            <option value="">選択してください</option>
            {others.map((member) => (
              <option key={member.userId} value={member.userId}>
                {member.displayName}（{member.active}/{member.capacity}）
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!target}
          onClick={() => void act(() => handoffs.transfer(id, target))}
        >
          引き継ぐ
        </button>
      </div>
      <ErrorNote message={error} />
    </div>
  );
}

function Notes({
  handoffs,
  detail,
  onDone,
}: {
  handoffs: HandoffApi;
  detail: HandoffDetail;
  onDone: () => void;
}) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    try {
      await handoffs.addNote(detail.handoff.id, text.trim());
      setText("");
      onDone();
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  return (
    <section aria-label="社内メモ" className="notes">
      <h3>社内メモ（お客さまには表示されません）</h3>
      <ul className="note-list">
        {detail.notes.map((note) => (
          <li key={note.id}>
            <span className="muted small">
              {note.author ?? "—"} ・ {formatDateTime(note.createdAt)}
              {note.kind === "resolution" ? " ・ 対応メモ" : ""}
            </span>
            <p>{note.text}</p>
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <label>
          メモを追加
          <input value={text} maxLength={1000} onChange={(event) => setText(event.target.value)} />
        </label>
        <button type="submit" disabled={!text.trim()}>
          メモを保存
        </button>
      </form>
      <ErrorNote message={error} />
    </section>
  );
}

function HandoffView({ id, handoffs }: { id: string; handoffs: HandoffApi }) {
  const { user } = useConsole();
  const live = useLive();
  const [tick, setTick] = useState(0);
  const loaded = useLoad(() => handoffs.get(id), `${id}-${live.version}-${tick}`);
  const [error, setError] = useState<string | null>(null);
  const detail = loaded.data;
  const reload = () => setTick((value) => value + 1);
  const claim = async () => {
    setError(null);
    try {
      await handoffs.claim(id);
      reload();
    } catch (failure) {
      setError(operatorMessage(failure));
      reload();
    }
  };
  if (!detail) return <Loading show={loaded.loading} />;
  const { handoff } = detail;
  const mine = handoff.status === "active" && (handoff.operatorId === user.id || user.role === "admin");
  return (
    <section className="handoff-view" aria-label="会話">
      <h2>
        {REASONS[handoff.reason] ?? handoff.reason}{" "}
        <Badge tone="plain">{STATUSES[handoff.status] ?? handoff.status}</Badge>
      </h2>
      <p className="meta muted small">
        {CHANNELS[handoff.channel] ?? handoff.channel} ・ 受付 {formatDateTime(handoff.queuedAt)} ・ 待ち{" "}
        {waited(handoff.waitingSeconds)}
        {handoff.operator ? ` ・ 担当 ${handoff.operator}` : ""}
      </p>
      <ErrorNote message={error ?? loaded.error} />
      {handoff.status === "waiting" && canEdit(user) && (
        <button type="button" className="primary" onClick={() => void claim()}>
          対応する
        </button>
      )}
      <ol className="transcript" aria-label="会話の記録">
        {detail.messages.map((message) => (
          <li key={message.id} className={`turn turn-${message.role}`}>
            <div className="turn-head">
              <strong>
                {message.role === "operator" && message.author
                  ? message.author
                  : (SPEAKERS[message.role] ?? message.role)}
              </strong>
              <span className="muted small">{formatDateTime(message.createdAt)}</span>
            </div>
            <p className="turn-text">{message.text}</p>
          </li>
        ))}
      </ol>
      {live.typingHandoff === id && (
        <p className="muted small" role="status">
          お客さまが入力中…
        </p>
      )}
      {mine && <Composer handoffs={handoffs} detail={detail} onDone={reload} />}
      {mine && <Actions handoffs={handoffs} detail={detail} onDone={reload} />}
      {canEdit(user) && <Notes handoffs={handoffs} detail={detail} onDone={reload} />}
    </section>
  );
}

function SettingsForm({ handoffs }: { handoffs: HandoffApi }) {
  const { user } = useConsole();
  const loaded = useLoad(() => handoffs.settings(), "handoff-settings");
  const [draft, setDraft] = useState<HandoffSettings | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = draft ?? loaded.data;
  if (!current) return null;
  const admin = user.role === "admin";
  const change = (patch: Partial<HandoffSettings>) => setDraft({ ...current, ...patch });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    try {
      setDraft(await handoffs.saveSettings(current));
      setMessage("設定を保存しました。");
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  return (
    <details className="panel handoff-settings">
      <summary>有人対応の設定</summary>
      <form onSubmit={save}>
        <label>
          対応時間（例: mon-fri 09:00-18:00 Asia/Tokyo、常時は always）
          <input
            value={current.hours}
            disabled={!admin}
            onChange={(event) => change({ hours: event.target.value })}
          />
        </label>
        <label>
          休業日（YYYY-MM-DD をカンマ区切り）
          <input
            value={current.holidays.join(",")}
            disabled={!admin}
            onChange={(event) =>
              change({
                holidays: event.target.value
                  .split(",")
                  .map((day) => day.trim())
                  .filter(Boolean),
              })
            }
          />
        </label>
        <label>
          同時対応数（1人あたり）
          <input
            type="number"
            min={1}
            max={50}
            value={current.capacity}
            disabled={!admin}
            onChange={(event) => change({ capacity: Number(event.target.value) })}
          />
        </label>
        <label>
          切断とみなして待機列に戻すまで（秒）
          <input
            type="number"
            min={10}
            value={current.reclaimSeconds}
            disabled={!admin}
            onChange={(event) => change({ reclaimSeconds: Number(event.target.value) })}
          />
        </label>
        <label>
          応答のないお客さまの待ちを終えるまで（秒）
          <input
            type="number"
            min={60}
            value={current.abandonSeconds}
            disabled={!admin}
            onChange={(event) => change({ abandonSeconds: Number(event.target.value) })}
          />
        </label>
        {admin && <button type="submit">設定を保存</button>}
      </form>
      <ErrorNote message={error} />
      {message && <p role="status">{message}</p>}
    </details>
  );
}

export function HandoffsPage({ id }: { id: string | null }) {
  const handoffs = useHandoffApi();
  const live = useLive();
  const waiting = useLoad(() => handoffs.list("waiting"), `waiting-${live.version}`);
  const active = useLoad(() => handoffs.list("active"), `active-${live.version}`);
  const { clearArrivals } = live;
  // biome-ignore lint/correctness/useExhaustiveDependencies: opening a conversation clears the arrivals badge
  useEffect(() => clearArrivals(), [clearArrivals, id]);
  return (
    <section aria-labelledby="handoffs-title">
      <h1 id="handoffs-title">有人対応</h1>
      <PresenceBar handoffs={handoffs} />
      <ErrorNote message={waiting.error ?? active.error} />
      <div className="handoff-layout">
        <div className="handoff-queues">
          <QueueList title="待機中" items={waiting.data?.items ?? []} selected={id} />
          <QueueList title="対応中" items={active.data?.items ?? []} selected={id} />
        </div>
        {id ? (
          <HandoffView key={id} id={id} handoffs={handoffs} />
        ) : (
          <p className="muted">左の一覧から会話を選んでください。</p>
        )}
      </div>
      <SettingsForm handoffs={handoffs} />
    </section>
  );
}
