// Client message ids make a retried send idempotent on the server.

export function newClientMessageId(random: () => string = defaultRandom): string {
  return `web-${random()}`.slice(0, 64);
}

function defaultRandom(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
