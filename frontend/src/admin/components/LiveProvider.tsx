import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type ConnectLive, chime, type Live, LiveContext, type LiveLink } from "../live";

const SOUND_KEY = "mnp-admin-handoff-sound";
const TYPING_SHOWN_MS = 5_000;

function storedSound(): boolean {
  try {
    return window.localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

export function LiveProvider({ connect, children }: { connect: ConnectLive | null; children: ReactNode }) {
  const [version, setVersion] = useState(0);
  const [arrivals, setArrivals] = useState(0);
  const [typingHandoff, setTypingHandoff] = useState<string | null>(null);
  const [sound, setSoundState] = useState(storedSound);
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const link = useRef<LiveLink | null>(null);

  useEffect(() => {
    if (!connect) return;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const opened = connect({
      changed: (kind, data) => {
        setVersion((value) => value + 1);
        if (kind === "queue" && data.status === "waiting") {
          setArrivals((value) => value + 1);
          if (soundRef.current) chime();
        }
      },
      typing: (handoffId) => {
        setTypingHandoff(handoffId);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => setTypingHandoff(null), TYPING_SHOWN_MS);
      },
    });
    link.current = opened;
    return () => {
      clearTimeout(typingTimer);
      link.current = null;
      opened.close();
    };
  }, [connect]);

  const setSound = useCallback((on: boolean) => {
    setSoundState(on);
    try {
      window.localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    } catch {
      // storage refused: the choice lasts for this page only
    }
  }, []);
  const clearArrivals = useCallback(() => setArrivals(0), []);
  const operatorTyping = useCallback((handoffId: string) => link.current?.typing(handoffId), []);

  const value: Live = useMemo(
    () => ({ version, arrivals, clearArrivals, typingHandoff, sound, setSound, operatorTyping }),
    [version, arrivals, clearArrivals, typingHandoff, sound, setSound, operatorTyping],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
