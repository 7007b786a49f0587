// Where the console keeps its sign-in: the short-lived access token only in memory, the rotating refresh
// token in this tab's sessionStorage (so a reload stays signed in; closing the tab or logging out forgets it).

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const REFRESH_KEY = "mnp-admin-refresh";

export class TokenStore {
  private access: string | null = null;

  constructor(private readonly storage: KeyValueStorage | null) {}

  get accessToken(): string | null {
    return this.access;
  }

  get refreshToken(): string | null {
    try {
      return this.storage?.getItem(REFRESH_KEY) ?? null;
    } catch {
      return null;
    }
  }

  save(accessToken: string, refreshToken: string): void {
    this.access = accessToken;
    try {
      this.storage?.setItem(REFRESH_KEY, refreshToken);
    } catch {
      // Storage disabled: the sign-in lasts as long as the page.
    }
  }

  clear(): void {
    this.access = null;
    try {
      this.storage?.removeItem(REFRESH_KEY);
    } catch {
      // nothing kept
    }
  }
}

/** This tab's sessionStorage, or none where the browser refuses it. */
export function tabStorage(): KeyValueStorage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
