import { useState } from "preact/hooks";
import type { Controller } from "../controller.js";
import { visibleTabs, type Tab } from "../route.js";
import { useStore } from "../store.js";
import { ApprovalsView } from "./approvals.js";
import { ChannelsView } from "./channels.js";
import { ChatView } from "./chat.js";
import { DevicesView } from "./devices.js";
import { LogsView } from "./logs.js";
import { PairingView } from "./pairing.js";
import { SecurityView } from "./security.js";

const TAB_LABELS: Readonly<Record<Tab, string>> = {
  chat: "Chat",
  approvals: "Approvals",
  pairing: "Pairing",
  devices: "Devices",
  channels: "Channels",
  security: "Security",
  logs: "Logs",
};

const CONN_TEXT = {
  idle: "disconnected",
  connecting: "connecting…",
  connected: "connected",
  reconnecting: "reconnecting…",
  refused: "refused",
} as const;

export function App({ controller }: { controller: Controller }) {
  const s = useStore(controller.store);
  if (!s.hasToken) return <Login controller={controller} error={s.connError} />;
  const tabs = visibleTabs(s.scopes);
  const tab = tabs.includes(s.route.tab) ? s.route.tab : "chat";
  const pending = s.approvals.length;
  return (
    <div class="shell">
      <header class="top">
        <h1>holdfast</h1>
        <span id="status" class="conn" data-state={s.conn} role="status" aria-live="polite" title={s.connError ?? ""}>
          {CONN_TEXT[s.conn]}
          {s.conn === "reconnecting" && s.retryInMs !== undefined
            ? ` (retry in ${(s.retryInMs / 1000).toFixed(1)} s)`
            : ""}
        </span>
        <button id="forget" type="button" class="quiet" onClick={() => controller.forgetToken()}>
          Forget token
        </button>
      </header>
      <nav class="tabs" aria-label="Views">
        {tabs.map((t) => (
          <a
            key={t}
            href={`#tab=${t}&session=${encodeURIComponent(s.route.session)}`}
            id={`tab-${t}`}
            aria-current={t === tab ? "page" : undefined}
          >
            {TAB_LABELS[t]}
            {t === "approvals" && pending > 0 ? (
              <span class="badge" aria-label={`${pending} pending`}>
                {pending}
              </span>
            ) : null}
          </a>
        ))}
      </nav>
      {s.notice ? (
        <p class="notice" role="alert">
          {s.notice}{" "}
          <button type="button" class="quiet" onClick={() => controller.store.update({ notice: undefined })}>
            Dismiss
          </button>
        </p>
      ) : null}
      <main id="view" class={`view-${tab}`}>
        {tab === "chat" ? <ChatView controller={controller} /> : null}
        {tab === "approvals" ? <ApprovalsView controller={controller} /> : null}
        {tab === "pairing" ? <PairingView controller={controller} /> : null}
        {tab === "devices" ? <DevicesView controller={controller} /> : null}
        {tab === "channels" ? <ChannelsView controller={controller} /> : null}
        {tab === "security" ? <SecurityView controller={controller} /> : null}
        {tab === "logs" ? <LogsView controller={controller} /> : null}
      </main>
    </div>
  );
}

function Login({ controller, error }: { controller: Controller; error: string | undefined }) {
  const [token, setToken] = useState("");
  return (
    <main class="login">
      <h1>holdfast</h1>
      <form
        id="login"
        autocomplete="off"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) controller.signIn(token.trim());
          setToken("");
        }}
      >
        <label for="token">Gateway token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="paste the output of: holdfast gateway token"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <button id="connect" type="submit">
          Connect
        </button>
        {error ? (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        ) : null}
        <p class="hint">The token stays in this browser tab's session storage and is only sent to this gateway.</p>
      </form>
    </main>
  );
}
