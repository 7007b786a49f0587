// The embeddable widget: one <script src=".../widget.js"> adds a floating button that opens the chat in an
// iframe panel. Styles live in a shadow root so the host page and the widget never restyle each other.

export const CLOSE_MESSAGE = "mnp-chat:close";
/** The chat in the frame says it started: the site is allowed to embed it (WIDGET_FRAME_ANCESTORS). */
export const READY_MESSAGE = "mnp-chat:ready";
/** Asks the chat in the frame to put keyboard focus on its message box. */
export const FOCUS_MESSAGE = "mnp-chat:focus";
/** How long after the frame's load event the chat has to say it started before the panel explains. */
export const READY_GRACE_MS = 2000;
const HOST_ID = "mnp-chat-widget";

export interface WidgetOptions {
  /** Origin serving the chat, normally the origin widget.js was loaded from. */
  origin: string;
  label?: string;
  position?: "left" | "right";
}

export interface WidgetController {
  open(): void;
  close(): void;
  readonly isOpen: boolean;
}

const STYLE = `
:host { all: initial; }
.launcher { position: fixed; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 8px;
  min-height: 56px; padding: 0 20px 0 16px; border: 0; border-radius: 28px; background: #06803f; color: #fff;
  font: 700 15px/1 system-ui, -apple-system, "Hiragino Sans", "Noto Sans CJK JP", Meiryo, sans-serif;
  box-shadow: 0 4px 14px rgb(0 0 0 / 25%); cursor: pointer; }
.launcher:focus-visible { outline: 3px solid #1a4fd6; outline-offset: 3px; }
.launcher svg { width: 24px; height: 24px; }
.panel { position: fixed; bottom: 88px; z-index: 2147483001; width: 380px; height: min(640px, calc(100vh - 110px));
  border-radius: 16px; overflow: hidden; background: #dfe7f1; box-shadow: 0 8px 30px rgb(0 0 0 / 30%); }
.panel[hidden] { display: none; }
.right { right: 20px; }
.left { left: 20px; }
iframe { width: 100%; height: 100%; border: 0; display: block; }
iframe[hidden] { display: none; }
.blocked { box-sizing: border-box; height: 100%; padding: 24px; background: #fff; color: #1b1f24;
  font: 400 15px/1.7 system-ui, -apple-system, "Hiragino Sans", "Noto Sans CJK JP", Meiryo, sans-serif; }
.blocked h2 { margin: 0 0 12px; font-size: 17px; }
.blocked p { margin: 0 0 12px; }
.blocked a { color: #0a4fbf; }
.blocked button { min-height: 44px; padding: 0 16px; border: 1px solid #8a94a3; border-radius: 8px; background: #fff;
  font: inherit; cursor: pointer; }
@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
  .launcher.open { display: none; }
}
`;

const ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string>) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

export function chatUrl(origin: string): string {
  return `${origin.replace(/\/+$/, "")}/?embed=1`;
}

/** What the panel shows instead of a broken frame when this site may not embed the chat. */
function blockedNotice(origin: string, onClose: () => void): HTMLElement {
  const notice = element("div", { class: "blocked", role: "alert" });
  const title = element("h2", {});
  title.textContent = "このページではチャットを表示できません";
  const why = element("p", {});
  why.textContent =
    "このサイトがチャットの埋め込み先として登録されていないか、チャットのサーバーに接続できません。お手数ですが、下のリンクから別のタブでご利用ください。";
  const link = element("a", { href: `${origin.replace(/\/+$/, "")}/`, target: "_blank", rel: "noopener" });
  link.textContent = "チャットを別のタブで開く";
  const admin = element("p", {});
  admin.textContent = `サイト管理者の方へ: チャットボットの設定 WIDGET_FRAME_ANCESTORS に ${window.location.origin} を追加してください。`;
  admin.setAttribute("style", "font-size: 13px; color: #4a5563");
  const close = element("button", { type: "button" });
  close.textContent = "閉じる";
  close.addEventListener("click", onClose);
  const linkLine = element("p", {});
  linkLine.append(link);
  notice.append(title, why, linkLine, admin, close);
  return notice;
}

export function mountWidget(options: WidgetOptions): WidgetController {
  const side = options.position === "left" ? "left" : "right";
  const host = element("div", { id: HOST_ID });
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = STYLE;
  const panel = element("div", { class: `panel ${side}`, id: "mnp-chat-panel", role: "dialog" });
  panel.setAttribute("aria-label", "MNP乗り換えサポート チャット");
  panel.hidden = true;
  const launcher = element("button", {
    type: "button",
    class: `launcher ${side}`,
    "aria-expanded": "false",
    "aria-controls": "mnp-chat-panel",
  });
  launcher.innerHTML = ICON;
  launcher.append(document.createTextNode(options.label ?? "チャットで相談"));
  root.append(style, panel, launcher);
  document.body.append(host);

  let frame: HTMLIFrameElement | null = null;
  let notice: HTMLElement | null = null;
  const state = { isOpen: false, ready: false };

  // Keyboard focus goes into the chat's message box, not only onto the frame.
  const focusChat = () => {
    if (notice) {
      notice.querySelector("a")?.focus();
      return;
    }
    frame?.focus();
    if (state.ready) frame?.contentWindow?.postMessage({ type: FOCUS_MESSAGE }, options.origin);
  };
  const explain = () => {
    if (state.ready || notice || !frame) return;
    frame.hidden = true;
    notice = blockedNotice(options.origin, () => close());
    panel.append(notice);
    if (state.isOpen) focusChat();
  };
  const open = () => {
    if (!frame) {
      frame = element("iframe", { src: chatUrl(options.origin), title: "MNP乗り換えサポート チャット" });
      // A site not allowed to frame the chat gets an error page: no ready message follows the load.
      frame.addEventListener("load", () => setTimeout(explain, READY_GRACE_MS));
      panel.append(frame);
    }
    panel.hidden = false;
    state.isOpen = true;
    launcher.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    focusChat();
  };
  const close = () => {
    if (!state.isOpen) return;
    panel.hidden = true;
    state.isOpen = false;
    launcher.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  };

  launcher.addEventListener("click", () => (state.isOpen ? close() : open()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  window.addEventListener("message", (event: MessageEvent) => {
    const data: unknown = event.data;
    if (event.origin !== options.origin || !frame || event.source !== frame.contentWindow) return;
    const type = typeof data === "object" && data !== null ? (data as { type?: unknown }).type : null;
    if (type === CLOSE_MESSAGE) close();
    if (type === READY_MESSAGE) {
      state.ready = true;
      notice?.remove();
      notice = null;
      frame.hidden = false;
      if (state.isOpen) focusChat();
    }
  });

  return {
    open,
    close,
    get isOpen() {
      return state.isOpen;
    },
  };
}

function fromScript(script: HTMLScriptElement): WidgetOptions {
  const position = script.dataset.position === "left" ? "left" : "right";
  return { origin: new URL(script.src).origin, position, label: script.dataset.label || undefined };
}

function autoMount(): WidgetController | null {
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement) || !script.src || document.getElementById(HOST_ID)) return null;
  const options = fromScript(script);
  if (document.body) return mountWidget(options);
  document.addEventListener("DOMContentLoaded", () => mountWidget(options), { once: true });
  return null;
}

export const widget = typeof document === "undefined" ? null : autoMount();
