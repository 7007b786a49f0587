// The chat's controller: state, history restore, streaming over socket.io, REST fallback, feedback.

import { useCallback, useEffect, useReducer, useRef } from "react";
import { ApiError, customerMessage, isSessionGone, SESSION_NOT_FOUND } from "../api/errors";
import type {
  ChatRequest,
  ChatResponse,
  ContactRequest,
  HandoffState,
  HistoryResponse,
  Rating,
} from "../api/types";
import { deliver } from "./deliver";
import type { RealtimeConnection, RealtimeListener } from "./realtime";
import type { SessionStore } from "./session";
import { type ChatAction, type ChatState, chatReducer, initialState } from "./state";

export interface ChatApi {
  postChat(body: ChatRequest): Promise<ChatResponse>;
  getHistory(sessionId: string): Promise<HistoryResponse>;
  postFeedback(
    messageId: string,
    body: { rating: Rating; sessionId: string; comment?: string },
  ): Promise<void>;
  cancelHandoff?(sessionId: string): Promise<HandoffState | null>;
  leaveContact?(body: ContactRequest): Promise<HandoffState>;
}

export interface ChatDeps {
  api: ChatApi;
  sessions: SessionStore;
  /** Opens the socket.io transport; null runs the chat over REST only. */
  connect: ((listener: RealtimeListener) => RealtimeConnection) | null;
  newId: () => string;
  ackTimeoutMs?: number;
  /** "widget" when the chat page is framed in another site (`?embed`). */
  channel?: "web" | "widget";
}

export interface Chat {
  state: ChatState;
  send(text: string): Promise<void>;
  retry(key: string): Promise<void>;
  giveFeedback(messageId: string, rating: Rating, comment?: string): Promise<void>;
  dismissNotice(): void;
  cancelHandoff(): Promise<void>;
  leaveContact(contact: Omit<ContactRequest, "sessionId">): Promise<void>;
  /** Lets the operator see that the customer is typing (sent at most every few seconds). */
  typing(): void;
}

const ACK_TIMEOUT_MS = 20_000;
const TYPING_EVERY_MS = 3_000;
const TYPING_SHOWN_MS = 5_000;

function useOnlineStatus(dispatch: (action: ChatAction) => void): void {
  useEffect(() => {
    const update = () => dispatch({ type: "onlineChanged", online: navigator.onLine });
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, [dispatch]);
}

function useSessionPersistence(deps: ChatDeps, sessionId: string | null): void {
  useEffect(() => {
    if (sessionId) deps.sessions.save(sessionId);
  }, [deps, sessionId]);
}

export function useChat(deps: ChatDeps): Chat {
  const [state, dispatch] = useReducer(chatReducer, null, () =>
    initialState(deps.sessions.load(), typeof navigator === "undefined" ? true : navigator.onLine),
  );
  const stateRef = useRef(state);
  stateRef.current = state;
  const busyRef = useRef(false);
  const realtimeRef = useRef<RealtimeConnection | null>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastTyping = useRef(0);

  const expire = useCallback(() => {
    deps.sessions.clear();
    dispatch({ type: "sessionExpired" });
  }, [deps]);

  const loadHistory = useCallback(
    async (fetchHistory: (sessionId: string) => Promise<HistoryResponse>) => {
      const sessionId = stateRef.current.sessionId;
      if (!sessionId || busyRef.current) return;
      try {
        const history = await fetchHistory(sessionId);
        if (!busyRef.current) dispatch({ type: "historyLoaded", history });
      } catch (error) {
        if (isSessionGone(error)) expire();
        else dispatch({ type: "restoreFailed" });
      }
    },
    [expire],
  );

  useEffect(() => {
    void loadHistory((sessionId) => deps.api.getHistory(sessionId));
  }, [deps, loadHistory]);

  useEffect(() => {
    if (!deps.connect) {
      dispatch({ type: "connectionChanged", status: "fallback" });
      return;
    }
    const resync = () => {
      const realtime = realtimeRef.current;
      if (realtime) void loadHistory((sessionId) => realtime.resync(sessionId, ACK_TIMEOUT_MS));
    };
    const realtime = deps.connect({
      status: (status) => dispatch({ type: "connectionChanged", status }),
      connected: resync,
      start: () => dispatch({ type: "streamStarted" }),
      delta: (text) => dispatch({ type: "streamDelta", text }),
      reset: () => dispatch({ type: "streamReset" }),
      // An answer nobody here waits for was asked in another tab of the same session.
      done: (response) => {
        const known = stateRef.current.messages.some(
          (m) => (m.kind === "assistant" || m.kind === "user") && m.key === response.messageId,
        );
        if (!busyRef.current && !known) resync();
      },
      operator: (message) => dispatch({ type: "operatorMessage", message }),
      handoff: (handoff) => dispatch({ type: "handoffChanged", handoff }),
      typing: (author) => {
        dispatch({ type: "operatorTyping", author });
        if (typingTimer.current) clearTimeout(typingTimer.current);
        typingTimer.current = setTimeout(
          () => dispatch({ type: "operatorTyping", author: null }),
          TYPING_SHOWN_MS,
        );
      },
    });
    realtimeRef.current = realtime;
    return () => {
      realtimeRef.current = null;
      realtime.close();
    };
  }, [deps, loadHistory]);

  useOnlineStatus(dispatch);
  useSessionPersistence(deps, state.sessionId);

  const deliverText = useCallback(
    async (text: string, clientMessageId: string) => {
      if (busyRef.current) return;
      busyRef.current = true;
      dispatch({ type: "sendStarted", clientMessageId, text });
      const sessionId = stateRef.current.sessionId;
      const body: ChatRequest = {
        message: text,
        clientMessageId,
        ...(sessionId ? { sessionId } : {}),
        ...(deps.channel === "widget" ? { channel: "widget" as const } : {}),
      };
      try {
        const response = await deliver(body, {
          rest: deps.api,
          socket: realtimeRef.current,
          ackTimeoutMs: deps.ackTimeoutMs ?? ACK_TIMEOUT_MS,
          onSessionExpired: expire,
        });
        dispatch({ type: "replyReceived", clientMessageId, response });
        // A hand-off's live events go to the socket's conversation rooms, which a reply sent over REST (the
        // socket not yet connected) did not join: a resync joins them.
        const realtime = realtimeRef.current;
        if (response.handoff && realtime?.connected)
          void realtime.resync(response.sessionId, ACK_TIMEOUT_MS).catch(() => undefined);
      } catch (error) {
        dispatch({ type: "sendFailed", clientMessageId, error: customerMessage(error) });
      } finally {
        busyRef.current = false;
      }
    },
    [deps, expire],
  );

  const send = useCallback(
    async (text: string) => {
      const message = text.trim();
      if (message) await deliverText(message, deps.newId());
    },
    [deps, deliverText],
  );

  const retry = useCallback(
    async (key: string) => {
      const failed = stateRef.current.messages.find((m) => m.kind === "user" && m.key === key);
      if (failed) await deliverText(failed.text, key);
    },
    [deliverText],
  );

  const giveFeedback = useCallback(
    async (messageId: string, rating: Rating, comment?: string) => {
      const sessionId = stateRef.current.sessionId;
      if (!sessionId) throw new ApiError(SESSION_NOT_FOUND, "");
      await deps.api.postFeedback(messageId, { rating, sessionId, ...(comment ? { comment } : {}) });
      dispatch({ type: "feedbackGiven", messageId, rating });
    },
    [deps],
  );

  const dismissNotice = useCallback(() => dispatch({ type: "noticeDismissed" }), []);

  const cancelHandoff = useCallback(async () => {
    const sessionId = stateRef.current.sessionId;
    if (!sessionId || !deps.api.cancelHandoff) return;
    const handoff = await deps.api.cancelHandoff(sessionId);
    dispatch({ type: "handoffChanged", handoff });
    const realtime = realtimeRef.current;
    if (realtime) void loadHistory((id) => realtime.resync(id, ACK_TIMEOUT_MS));
    else void loadHistory((id) => deps.api.getHistory(id));
  }, [deps, loadHistory]);

  const leaveContact = useCallback(
    async (contact: Omit<ContactRequest, "sessionId">) => {
      const sessionId = stateRef.current.sessionId;
      if (!sessionId || !deps.api.leaveContact) return;
      dispatch({ type: "handoffChanged", handoff: await deps.api.leaveContact({ ...contact, sessionId }) });
    },
    [deps],
  );

  const typing = useCallback(() => {
    const sessionId = stateRef.current.sessionId;
    const now = Date.now();
    if (
      !sessionId ||
      stateRef.current.handoff?.status !== "active" ||
      now - lastTyping.current < TYPING_EVERY_MS
    )
      return;
    lastTyping.current = now;
    realtimeRef.current?.typing?.(sessionId);
  }, []);

  return { state, send, retry, giveFeedback, dismissNotice, cancelHandoff, leaveContact, typing };
}
