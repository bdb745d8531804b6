/** Whether a signal-cli daemon answers, and what to do when it does not. */
export interface SignalProbe {
  readonly ok: boolean;
  /** One line: what was found, or how to start the daemon. */
  readonly note: string;
}

/** How long the probe waits for the daemon (ms). */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Asks the daemon's health endpoint (`GET <httpUrl>/api/v1/check`, 200 when it runs). When nothing
 * answers, the note says how to start it for `account` on the URL's host and port (signal-cli needs
 * Java 21 and a registered or linked account; holdfast does not bundle it).
 */
export async function probeSignalDaemon(httpUrl: string, account: string): Promise<SignalProbe> {
  const u = new URL(httpUrl);
  const listen = `${u.hostname.replace(/^\[|\]$/g, "")}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  const start =
    `start it with: signal-cli -a ${account} daemon --http ${listen}` +
    ` (needs Java 21; register first with signal-cli -a ${account} register, or link with signal-cli link -n holdfast)`;
  try {
    const res = await fetch(`${httpUrl}/api/v1/check`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status === 200) return { ok: true, note: `signal-cli daemon answers at ${httpUrl}` };
    return {
      ok: false,
      note: `${httpUrl} answered HTTP ${res.status} to /api/v1/check: not a signal-cli daemon --http? ${start}`,
    };
  } catch {
    return { ok: false, note: `no signal-cli daemon at ${httpUrl}; ${start}` };
  }
}
