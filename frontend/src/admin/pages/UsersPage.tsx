import { type FormEvent, useMemo, useState } from "react";
import type { Role, User } from "../api/types";
import { UsersApi } from "../api/users";
import { Badge, ErrorNote, Loading, Notice } from "../components/common";
import { operatorMessage, useConsole, useLoad } from "../context";
import { formatDateTime, ROLE_LABELS } from "../format";

const ROLES: Role[] = ["operator", "viewer", "admin"];
const EMPTY_INVITE = { email: "", displayName: "", password: "", role: "operator" as Role };

function RoleSelect({
  value,
  onChange,
  label,
}: {
  value: Role;
  onChange: (role: Role) => void;
  label: string;
}) {
  return (
    <select aria-label={label} value={value} onChange={(event) => onChange(event.target.value as Role)}>
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}

function InviteForm({ users, onInvited }: { users: UsersApi; onInvited: (user: User) => void }) {
  const [form, setForm] = useState(EMPTY_INVITE);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onInvited(await users.invite(form));
      setForm(EMPTY_INVITE);
    } catch (failure) {
      setError(operatorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" aria-labelledby="invite-title" onSubmit={submit}>
      <h2 id="invite-title">ユーザーを追加</h2>
      <p className="muted small">
        初期パスワード（12文字以上）は本人に別の手段で伝え、最初のログイン後に変更してもらってください。
      </p>
      <div className="row">
        <label>
          メールアドレス
          <input
            type="email"
            required
            autoComplete="off"
            value={form.email}
            onChange={(event) => setForm({ ...form, email: event.target.value })}
          />
        </label>
        <label>
          表示名
          <input
            required
            maxLength={100}
            value={form.displayName}
            onChange={(event) => setForm({ ...form, displayName: event.target.value })}
          />
        </label>
        <label>
          初期パスワード
          <input
            type="password"
            required
            minLength={12}
            autoComplete="new-password"
            value={form.password}
            onChange={(event) => setForm({ ...form, password: event.target.value })}
          />
        </label>
        <label>
          役割
          <select
            value={form.role}
            onChange={(event) => setForm({ ...form, role: event.target.value as Role })}
          >
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy}>
          追加する
        </button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}

export function UsersPage() {
  const { api, user: me } = useConsole();
  const users = useMemo(() => new UsersApi(api.http), [api]);
  const [tick, setTick] = useState(0);
  const list = useLoad(() => users.list(), String(tick));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    try {
      await action();
      setNotice(done);
      setTick((value) => value + 1);
    } catch (failure) {
      setError(operatorMessage(failure));
    }
  };
  const signOut = (target: User) => {
    if (!window.confirm(`${target.displayName} さんをすべての端末からログアウトさせますか？`)) return;
    void run(
      () => users.signOutEverywhere(target.id),
      `${target.displayName} さんをすべての端末からログアウトさせました。`,
    );
  };
  const toggle = (target: User) => {
    if (
      target.isActive &&
      !window.confirm(`${target.displayName} さんを無効にしますか？ログインできなくなります。`)
    ) {
      return;
    }
    const done = target.isActive ? "無効にしました。" : "有効にしました。";
    void run(
      () => users.change(target.id, { isActive: !target.isActive }),
      `${target.displayName} さんを${done}`,
    );
  };

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">ユーザー</h1>
      <InviteForm
        users={users}
        onInvited={(created) => {
          setNotice(`${created.displayName} さん（${ROLE_LABELS[created.role]}）を追加しました。`);
          setTick((value) => value + 1);
        }}
      />
      <Notice message={notice} />
      <ErrorNote message={error ?? list.error} />
      <Loading show={list.loading && !list.data} />
      {list.data && (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">名前</th>
                <th scope="col">メールアドレス</th>
                <th scope="col">役割</th>
                <th scope="col">状態</th>
                <th scope="col">最終ログイン</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((target) => (
                <tr key={target.id}>
                  <th scope="row">
                    {target.displayName}
                    {target.id === me.id && <Badge tone="plain">自分</Badge>}
                  </th>
                  <td>{target.email}</td>
                  <td>
                    <RoleSelect
                      label={`${target.displayName} さんの役割`}
                      value={target.role}
                      onChange={(role) =>
                        void run(
                          () => users.change(target.id, { role }),
                          `${target.displayName} さんの役割を${ROLE_LABELS[role]}に変更しました。`,
                        )
                      }
                    />
                  </td>
                  <td>{target.isActive ? <Badge tone="ok">有効</Badge> : <Badge tone="bad">無効</Badge>}</td>
                  <td>{formatDateTime(target.lastLoginAt)}</td>
                  <td>
                    <div className="button-row">
                      <button
                        type="button"
                        className={target.isActive ? "danger" : undefined}
                        onClick={() => toggle(target)}
                      >
                        {target.isActive ? "無効にする" : "有効にする"}
                      </button>
                      <button type="button" onClick={() => signOut(target)}>
                        全端末からログアウト
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
