// The console's live link (socket.io): hand-off arrivals, messages and typing, across every app replica.

import { createContext, useContext } from "react";
import { io } from "socket.io-client";
import type { AdminHttp } from "./api/http";

export interface LiveEvents {
  /** Something in the hand-off queue, a conversation or the call-backs changed. */
  changed(kind: "queue" | "message" | "callback" | "presence", data: Record<string, unknown>): void;
  typing(handoffId: string): void;
}

export interface LiveLink {
  typing(handoffId: string): void;
  close(): void;
}

/** Opens the live link. */
export type ConnectLive = (events: LiveEvents) => LiveLink;

const HEARTBEAT_MS = 20_000;

export function socketLive(http: AdminHttp): ConnectLive {
  return (events) => {
    const socket = io({
      path: "/socket.io/",
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 10_000,
    });
    const join = async () => {
      const token = await http.accessToken();
      if (token) socket.emit("operator:join", { token });
    };
    socket.on("connect", () => void join());
    const data = (value: unknown) =>
      typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    socket.on("handoff:queue", (value: unknown) => events.changed("queue", data(value)));
    socket.on("handoff:message", (value: unknown) => events.changed("message", data(value)));
    socket.on("handoff:callback", (value: unknown) => events.changed("callback", data(value)));
    socket.on("handoff:presence", (value: unknown) => events.changed("presence", data(value)));
    socket.on("handoff:typing", (value: unknown) => {
      const id = data(value).handoffId;
      if (typeof id === "string") events.typing(id);
    });
    // The heartbeat hands over the token held now: the server checks it again and puts out a socket whose
    // sign-in ended. Put out by the server (an expired token), the link joins again with a refreshed one.
    const heartbeat = setInterval(
      () => socket.emit("operator:heartbeat", { token: http.heldAccessToken() }),
      HEARTBEAT_MS,
    );
    let closed = false;
    socket.on("disconnect", (reason: string) => {
      if (reason === "io server disconnect" && !closed) setTimeout(() => socket.connect(), 2_000);
    });
    return {
      typing: (handoffId) => {
        socket.emit("operator:typing", { handoffId });
      },
      close: () => {
        closed = true;
        clearInterval(heartbeat);
        socket.disconnect();
      },
    };
  };
}

export interface Live {
  /** Grows on every change; pages reload what they show when it does. */
  version: number;
  /** Hand-offs that arrived since the queue was last looked at. */
  arrivals: number;
  clearArrivals(): void;
  /** The hand-off whose customer is typing now, if any. */
  typingHandoff: string | null;
  sound: boolean;
  setSound(on: boolean): void;
  /** Tell the operator's customer that they are typing. */
  operatorTyping(handoffId: string): void;
}

export const LiveContext = createContext<Live>({
  version: 0,
  arrivals: 0,
  clearArrivals: () => undefined,
  typingHandoff: null,
  sound: false,
  setSound: () => undefined,
  operatorTyping: () => undefined,
});

export function useLive(): Live {
  return useContext(LiveContext);
}

/** A short two-tone chime (Web Audio), for arrivals when the operator turned sound on. */
export function chime(): void {
  const AudioContextClass = window.AudioContext;
  if (!AudioContextClass) return;
  const context = new AudioContextClass();
  [880, 660].forEach((frequency, index) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.08;
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(context.currentTime + index * 0.18);
    oscillator.stop(context.currentTime + index * 0.18 + 0.15);
  });
  setTimeout(() => void context.close(), 800);
}
