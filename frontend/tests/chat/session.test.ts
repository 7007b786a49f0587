import { describe, expect, it } from "vitest";
import { newClientMessageId } from "../../src/chat/ids";
import { createSessionStore, SESSION_KEY } from "../../src/chat/session";
import { SESSION } from "../fixtures";

describe("createSessionStore", () => {
  it("saves, loads and clears the session token", () => {
    const store = createSessionStore(localStorage);
    store.save(SESSION);
    expect(localStorage.getItem(SESSION_KEY)).toBe(SESSION);
    expect(store.load()).toBe(SESSION);
    store.clear();
    expect(store.load()).toBeNull();
  });

  it.each([["short"], ["has spaces in it and more"], ["<script>alert(1)</script>xxxxxxxx"]])(
    "ignores a stored value that is no session token: %s",
    (value) => {
      localStorage.setItem(SESSION_KEY, value);
      expect(createSessionStore(localStorage).load()).toBeNull();
    },
  );

  it("works without storage, and when storage throws", () => {
    const throwing = {
      getItem() {
        throw new DOMException("denied", "SecurityError");
      },
      setItem() {
        throw new DOMException("full", "QuotaExceededError");
      },
      removeItem() {
        throw new DOMException("denied", "SecurityError");
      },
    } as unknown as Storage;
    for (const storage of [null, throwing]) {
      const store = createSessionStore(storage);
      expect(() => store.save(SESSION)).not.toThrow();
      expect(store.load()).toBeNull();
    }
  });
});

describe("newClientMessageId", () => {
  it("is unique, short enough and of the characters the server accepts", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClientMessageId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  });
});
