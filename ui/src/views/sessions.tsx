import { useState } from "preact/hooks";
import type { Controller, SessionRow } from "../controller.js";
import { useStore } from "../store.js";

/** Sessions from `sessions.list` (channel, peer, last activity): switch, start a new one, delete with confirm. */
export function SessionList({ controller }: { controller: Controller }) {
  const s = useStore(controller.store);
  const [confirming, setConfirming] = useState<string | null>(null);
  const current = s.route.session;
  const rows: SessionRow[] = s.sessions.some((r) => r.key === current)
    ? [...s.sessions]
    : [{ key: current, displayName: "new session" }, ...s.sessions];
  const canWrite = controller.hasScope("operator.write");
  const agentOf = (key: string) => /^agent:([^:]+):/.exec(key)?.[1] ?? "main";
  return (
    <aside class="sessions" aria-label="Sessions">
      <div class="sessions-head">
        <h2>Sessions</h2>
        <button
          id="new-session"
          type="button"
          disabled={!canWrite}
          onClick={() => controller.go({ session: `agent:${agentOf(current)}:webchat-${newSuffix()}` })}
        >
          New
        </button>
      </div>
      <ul id="session-list">
        {rows.map((r) => (
          <li key={r.key} class="session" data-key={r.key} aria-current={r.key === current ? "true" : undefined}>
            <button type="button" class="session-open" onClick={() => controller.go({ session: r.key, tab: "chat" })}>
              <span class="session-name">{r.displayName ?? shortKey(r.key)}</span>
              <span class="session-meta">
                {[r.channel ?? "webchat", r.chatType, r.updatedAt ? ago(r.updatedAt) : "no messages yet"]
                  .filter(Boolean)
                  .join(" · ")}
              </span>
            </button>
            {canWrite && s.sessions.some((x) => x.key === r.key) ? (
              confirming === r.key ? (
                <span class="confirm" role="group" aria-label={`Delete ${r.key}?`}>
                  <button
                    type="button"
                    class="danger confirm-delete"
                    onClick={() => {
                      setConfirming(null);
                      void controller
                        .deleteSession(r.key)
                        .catch((e: Error) => controller.store.update({ notice: e.message }));
                    }}
                  >
                    Delete
                  </button>
                  <button type="button" class="quiet" onClick={() => setConfirming(null)}>
                    Keep
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  class="quiet delete"
                  aria-label={`Delete session ${r.key}`}
                  onClick={() => setConfirming(r.key)}
                >
                  ✕
                </button>
              )
            ) : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}

function newSuffix(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${crypto.randomUUID().slice(0, 6)}`;
}

function shortKey(key: string): string {
  return key.replace(/^agent:main:/, "");
}

/** "just now", "5 min ago", "3 h ago", or the date. */
export function ago(ms: number): string {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}
