// The conversation's session token, kept in localStorage so a reload continues the same chat.

export const SESSION_KEY = "mnp-chat.sessionId";
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export interface SessionStore {
  load(): string | null;
  save(sessionId: string): void;
  clear(): void;
}

export function createSessionStore(storage: Storage | null): SessionStore {
  return {
    load() {
      const value = safely(() => storage?.getItem(SESSION_KEY) ?? null, null);
      return value !== null && TOKEN.test(value) ? value : null;
    },
    save(sessionId) {
      safely(() => storage?.setItem(SESSION_KEY, sessionId), undefined);
    },
    clear() {
      safely(() => storage?.removeItem(SESSION_KEY), undefined);
    },
  };
}

/** Private browsing and sandboxed iframes may throw on any storage access; the chat still works. */
function safely<T>(action: () => T, fallback: T): T {
  try {
    return action();
  } catch {
    return fallback;
  }
}

export function browserStorage(): Storage | null {
  return safely(() => window.localStorage, null);
}
