import { type FormEvent, useState } from "react";
import type { AdminHttp } from "../api/http";
import type { User } from "../api/types";
import { ErrorNote } from "../components/common";
import { operatorMessage } from "../context";

interface Props {
  http: AdminHttp;
  notice: string | null;
  onSignedIn: (user: User) => void;
}

export function LoginPage({ http, notice, onSignedIn }: Props) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await http.login(email, password));
    } catch (caught) {
      setError(operatorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">管理コンソール</h1>
        <p className="muted">MNPチャットボットの運用担当者の方はログインしてください。</p>
        {notice && <p className="admin-notice">{notice}</p>}
        <label>
          メールアドレス
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label>
          パスワード
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <ErrorNote message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "ログイン中…" : "ログイン"}
        </button>
      </form>
    </main>
  );
}
