/** `url` with every query value replaced by `***` (for logs, errors, approval requests and the security trail); the fragment and any `user:password@` are dropped; unparsable input → `<url>`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, "***");
    return `${u.origin}${u.pathname}${u.search.replace(/%2A/g, "*")}`;
  } catch {
    return "<url>";
  }
}
