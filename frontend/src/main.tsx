import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { io } from "socket.io-client";
import { ApiClient } from "./api/client";
import { newClientMessageId } from "./chat/ids";
import { Realtime } from "./chat/realtime";
import { browserStorage, createSessionStore } from "./chat/session";
import type { ChatDeps } from "./chat/useChat";
import { ChatApp } from "./components/ChatApp";
import "./styles.css";

const deps: ChatDeps = {
  api: new ApiClient(),
  sessions: createSessionStore(browserStorage()),
  connect: (listener) =>
    new Realtime(
      // WebSocket first (each streamed piece arrives on its own), long-polling where a proxy blocks it.
      io({
        path: "/socket.io/",
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        reconnectionDelayMax: 10_000,
        timeout: 8_000,
      }),
      listener,
    ),
  newId: () => newClientMessageId(),
};

const embedded = new URLSearchParams(window.location.search).has("embed");
if (embedded) deps.channel = "widget";
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ChatApp deps={deps} embedded={embedded} />
    </StrictMode>,
  );
}
