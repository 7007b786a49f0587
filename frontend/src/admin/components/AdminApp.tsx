import { useEffect, useMemo, useState } from "react";
import { AdminApi } from "../api/endpoints";
import type { AdminHttp } from "../api/http";
import type { User } from "../api/types";
import { type Console, ConsoleContext } from "../context";
import { japanDay, ROLE_LABELS } from "../format";
import type { ConnectLive } from "../live";
import { useLive } from "../live";
import { AnalyticsPage } from "../pages/AnalyticsPage";
import { AuditPage } from "../pages/AuditPage";
import { BenchPage } from "../pages/BenchPage";
import { CallbacksPage } from "../pages/CallbacksPage";
import { CarriersPage } from "../pages/CarriersPage";
import { ConversationPage } from "../pages/ConversationPage";
import { ConversationsPage } from "../pages/ConversationsPage";
import { FaqEditPage } from "../pages/FaqEditPage";
import { FaqListPage } from "../pages/FaqListPage";
import { GapsPage } from "../pages/GapsPage";
import { HandoffsPage } from "../pages/HandoffsPage";
import { LoginPage } from "../pages/LoginPage";
import { ReviewsPage } from "../pages/ReviewsPage";
import { UsersPage } from "../pages/UsersPage";
import { BASE, parseRoute, type Route, useLocation } from "../router";
import { Link } from "./common";
import { LiveProvider } from "./LiveProvider";

type Session = { state: "checking" } | { state: "out"; notice: string | null } | { state: "in"; user: User };

const NAV: { page: Route["page"]; label: string; adminOnly?: boolean }[] = [
  { page: "handoffs", label: "有人対応" },
  { page: "callbacks", label: "折り返し" },
  { page: "faqs", label: "FAQ" },
  { page: "reviews", label: "承認待ち" },
  { page: "carriers", label: "事業者" },
  { page: "bench", label: "質問を試す" },
  { page: "conversations", label: "会話" },
  { page: "gaps", label: "未解決の質問" },
  { page: "analytics", label: "分析" },
  { page: "users", label: "ユーザー", adminOnly: true },
  { page: "audit", label: "監査ログ", adminOnly: true },
];

const SECTION: Partial<Record<Route["page"], Route["page"]>> = {
  faq: "faqs",
  "new-faq": "faqs",
  conversation: "conversations",
};

export const IDLE_NOTICE = "一定時間操作がなかったため、ログアウトしました。";

/** The signed-in user as the header names them: the role once when the name is only the role. */
export function userBadge(user: User): string {
  const role = ROLE_LABELS[user.role] ?? user.role;
  return user.displayName === role ? role : `${user.displayName}（${role}）`;
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "faqs":
      return <FaqListPage />;
    case "faq":
      return <FaqEditPage faqKey={route.key} />;
    case "new-faq":
      return <FaqEditPage faqKey={null} />;
    case "reviews":
      return <ReviewsPage />;
    case "carriers":
      return <CarriersPage />;
    case "bench":
      return <BenchPage />;
    case "conversations":
      return <ConversationsPage />;
    case "conversation":
      return <ConversationPage id={route.id} />;
    case "gaps":
      return <GapsPage />;
    case "analytics":
      return <AnalyticsPage />;
    case "handoffs":
      return <HandoffsPage id={route.id} />;
    case "callbacks":
      return <CallbacksPage />;
    case "users":
      return <UsersPage />;
    case "audit":
      return <AuditPage />;
  }
}

/** The tab's title: the page, and a badge counting hand-offs that arrived meanwhile. */
function Title({ section }: { section: Route["page"] }) {
  const { arrivals } = useLive();
  useEffect(() => {
    const item = NAV.find((entry) => entry.page === section);
    const badge = arrivals > 0 ? `(${arrivals}) ` : "";
    document.title = `${badge}${item?.label ?? "管理"} | MNPチャットボット 管理コンソール`;
  }, [section, arrivals]);
  return null;
}

interface AdminAppProps {
  http: AdminHttp;
  now?: () => Date;
  /** The live link for hand-offs (socket.io in the browser); none in unit tests. */
  connectLive?: ConnectLive | null;
}

export function AdminApp({ http, now = () => new Date(), connectLive = null }: AdminAppProps) {
  const api = useMemo(() => new AdminApi(http), [http]);
  const [session, setSession] = useState<Session>({ state: "checking" });
  const location = useLocation();
  const route = parseRoute(location.path);

  useEffect(() => {
    let current = true;
    http.resume().then(
      (user) => current && setSession(user ? { state: "in", user } : { state: "out", notice: null }),
      () => current && setSession({ state: "out", notice: null }),
    );
    const stop = http.onSignedOut(() =>
      setSession({ state: "out", notice: "ログインの有効期限が切れました。もう一度ログインしてください。" }),
    );
    return () => {
      current = false;
      stop();
    };
  }, [http]);

  const signedIn = session.state === "in";
  useEffect(() => {
    if (!signedIn) return;
    // Signed out after idleTimeoutMs without a key press, click or scroll; the server ends the sign-in too.
    let timer = setTimeout(expire, http.idleTimeoutMs);
    function expire() {
      void http.logout().catch(() => undefined);
      setSession({ state: "out", notice: IDLE_NOTICE });
    }
    function restart() {
      clearTimeout(timer);
      timer = setTimeout(expire, http.idleTimeoutMs);
    }
    const events = ["keydown", "pointerdown", "wheel", "touchstart"] as const;
    for (const name of events) window.addEventListener(name, restart, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of events) window.removeEventListener(name, restart);
    };
  }, [http, signedIn]);

  const section = SECTION[route.page] ?? route.page;
  useEffect(() => {
    const item = NAV.find((entry) => entry.page === section);
    document.title = `${item?.label ?? "管理"} | MNPチャットボット 管理コンソール`;
  }, [section]);
  const live = useMemo(() => connectLive, [connectLive]);

  if (session.state === "checking") return <p className="admin-loading">読み込み中…</p>;
  if (session.state === "out") {
    return (
      <LoginPage
        http={http}
        notice={session.notice}
        onSignedIn={(user) => setSession({ state: "in", user })}
      />
    );
  }

  const consoleValue: Console = { api, user: session.user, today: () => japanDay(now()), now };
  const logout = async () => {
    await http.logout().catch(() => undefined);
    setSession({ state: "out", notice: "ログアウトしました。" });
  };

  return (
    <ConsoleContext.Provider value={consoleValue}>
      <LiveProvider connect={live}>
        <Title section={section} />
        <div className="admin">
          <header className="admin-header">
            <span className="admin-brand">MNP 管理コンソール</span>
            <nav aria-label="メニュー">
              <ul>
                {NAV.filter((item) => !item.adminOnly || session.user.role === "admin").map((item) => (
                  <li key={item.page}>
                    <Link
                      to={`${BASE}/${item.page}`}
                      className={item.page === section ? "nav-link current" : "nav-link"}
                    >
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="admin-user">
              <span>{userBadge(session.user)}</span>
              <button type="button" onClick={logout}>
                ログアウト
              </button>
            </div>
          </header>
          <main className="admin-main">
            <Page route={route} />
          </main>
        </div>
      </LiveProvider>
    </ConsoleContext.Provider>
  );
}
