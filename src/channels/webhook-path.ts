import { HoldfastError } from "../errors/index.js";

/**
 * Checks a webhook path served on the gateway port (before gateway auth): letters, digits, `/ _ -`,
 * and not `/`, `/health` or under `/api/` (the gateway's own routes).
 * @throws HoldfastError HF_CHANNEL_CONFIG naming `at`.
 */
export function checkWebhookPath(path: string, at: string): string {
  if (path === "/" || path === "/health" || path.startsWith("/api/") || !/^\/[A-Za-z0-9/_-]{1,200}$/.test(path))
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}: "${path}" is not usable (letters, digits, / _ -; not /, /health or /api/...)`,
      { path: at },
    );
  return path;
}

/**
 * Refuses two accounts serving one webhook path. @throws HoldfastError HF_CHANNEL_CONFIG naming the
 * second account's key.
 */
export function checkDistinctPaths(accounts: readonly { path?: string; at: string; accountId: string }[]): void {
  const seen = new Map<string, string>();
  for (const a of accounts) {
    if (a.path === undefined) continue;
    const other = seen.get(a.path);
    if (other !== undefined)
      throw new HoldfastError("HF_CHANNEL_CONFIG", `${a.at}: "${a.path}" is also used by account "${other}"`);
    seen.set(a.path, a.accountId);
  }
}
