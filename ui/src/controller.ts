import {
  applyChatEvent,
  applyToolEvent,
  errorText,
  itemsFromHistory,
  type ChatEvent,
  type ChatItem,
  type HistoryMessage,
  type ToolEvent,
  withAckedMessage,
} from "./chat-items.js";
import { GatewayClient, isDisconnect, type ConnState, type Hello, type InterruptedRun } from "./gateway-client.js";
import { Outbox, type OutboxEntry, type SendAck } from "./outbox.js";
import { formatRoute, hasScope, parseRoute, type Route } from "./route.js";
import { statusLabel, type StatusEvent } from "./run-status.js";
import { Store } from "./store.js";

export const TOKEN_KEY = "holdfast.gatewayToken";

/** A session row of `sessions.list`. */
export interface SessionRow {
  readonly key: string;
  readonly agentId?: string;
  readonly channel?: string;
  readonly chatType?: string;
  readonly displayName?: string;
  readonly updatedAt?: number;
  readonly messageCount?: number;
}

/** A pending exec approval (`exec.approval.requested`). */
export interface Approval {
  readonly id: string;
  readonly sessionKey?: string;
  readonly command: string;
  readonly host?: string;
  /** True when elevated mode moved the command out of its sandbox onto the gateway host. */
  readonly elevated?: boolean;
  readonly reason?: string;
  readonly persistable?: boolean;
  readonly createdAtMs?: number;
  /** The tool asking, when it is not exec (`write`, `message`, `sessions_send`, ...). */
  readonly tool?: string;
  /** Set when the turn read untrusted content: `summary` names it ("this turn read https://…"). */
  readonly taint?: { readonly summary: string; readonly kinds: readonly string[] };
}

export interface AppState {
  readonly conn: ConnState;
  readonly connError?: string;
  readonly retryInMs?: number;
  readonly hasToken: boolean;
  readonly scopes: ReadonlySet<string>;
  readonly route: Route;
  readonly sessions: readonly SessionRow[];
  readonly items: readonly ChatItem[];
  readonly historyLoaded: boolean;
  readonly outbox: readonly OutboxEntry[];
  /** The run in progress in the selected session and what it is doing. */
  readonly run?: { readonly runId?: string; readonly label: string };
  readonly approvals: readonly Approval[];
  /** Events of other tabs' live views (pairing, devices, logs) bump this so they reload. */
  readonly eventTick: number;
  readonly notice?: string;
}

/**
 * The Control UI's state and its one gateway connection: chat events go into the selected session's
 * items, messages go out through the {@link Outbox}, and history is reloaded at every (re)connect so
 * the view shows what the gateway kept.
 */
export class Controller {
  readonly store: Store<AppState>;
  readonly client: GatewayClient;
  private readonly outbox: Outbox;
  private interrupted: readonly InterruptedRun[] = [];

  constructor(private readonly win: Window) {
    const scheme = win.location.protocol === "https:" ? "wss" : "ws";
    this.store = new Store<AppState>({
      conn: "idle",
      hasToken: !!win.sessionStorage.getItem(TOKEN_KEY),
      scopes: new Set(),
      route: parseRoute(win.location.hash),
      sessions: [],
      items: [],
      historyLoaded: false,
      outbox: [],
      approvals: [],
      eventTick: 0,
    });
    this.client = new GatewayClient({
      url: `${scheme}://${win.location.host}/`,
      token: () => win.sessionStorage.getItem(TOKEN_KEY),
      onEvent: (e, p) => this.onEvent(e, p),
      onState: (state, info) => this.onState(state, info),
    });
    this.outbox = new Outbox(
      win.sessionStorage,
      {
        send: (e) =>
          this.client.request("chat.send", {
            sessionKey: e.sessionKey,
            message: e.text,
            idempotencyKey: e.idempotencyKey,
          }),
        isDisconnect,
      },
      {
        onChange: () => this.store.update({ outbox: this.outbox.list() }),
        onAck: (e, ack) => this.onAck(e, ack),
      },
    );
    this.store.update({ outbox: this.outbox.list() });
    win.addEventListener("hashchange", () => this.setRoute(parseRoute(win.location.hash)));
    if (this.store.get().hasToken) this.client.start();
  }

  signIn(token: string): void {
    this.win.sessionStorage.setItem(TOKEN_KEY, token);
    this.store.update({ hasToken: true, connError: undefined });
    this.client.start();
  }

  forgetToken(): void {
    this.win.sessionStorage.removeItem(TOKEN_KEY);
    this.client.stop();
    this.store.update({ hasToken: false, scopes: new Set(), items: [], sessions: [], approvals: [] });
  }

  /** Queues a message for the selected session (sent at once when connected, else on reconnect). */
  send(text: string): void {
    this.outbox.add({
      idempotencyKey: crypto.randomUUID(),
      sessionKey: this.store.get().route.session,
      text,
      createdAt: Date.now(),
    });
  }

  retry(idempotencyKey: string): void {
    this.outbox.retry(idempotencyKey);
  }

  discard(idempotencyKey: string): void {
    this.outbox.discard(idempotencyKey);
  }

  async abort(): Promise<void> {
    const { route, run } = this.store.get();
    await this.client.request("chat.abort", { sessionKey: route.session, ...(run?.runId ? { runId: run.runId } : {}) });
  }

  go(patch: Partial<Route>): void {
    const next = { ...this.store.get().route, ...patch };
    this.win.history.replaceState(null, "", formatRoute(next));
    this.setRoute(next);
  }

  async deleteSession(key: string): Promise<void> {
    await this.client.request("sessions.delete", { key });
    if (this.store.get().route.session === key) this.go({ session: "agent:main:main" });
    await this.loadSessions();
  }

  async resolveApproval(id: string, decision: string): Promise<void> {
    try {
      await this.client.request("exec.approval.resolve", { id, decision });
    } catch (err) {
      this.store.update({ notice: (err as Error).message });
    }
  }

  hasScope(scope: string): boolean {
    return hasScope(this.store.get().scopes, scope);
  }

  private setRoute(route: Route): void {
    const prev = this.store.get().route;
    this.store.update({ route });
    if (route.session !== prev.session) {
      this.store.update({ items: [], run: undefined, historyLoaded: false });
      void this.loadHistory();
    }
  }

  private onState(state: ConnState, info: { error?: string; retryInMs?: number; hello?: Hello }): void {
    this.store.update({ conn: state, connError: info.error, retryInMs: info.retryInMs });
    if (state === "refused") {
      // A refused token is not kept: the sign-in form asks again and shows why.
      this.win.sessionStorage.removeItem(TOKEN_KEY);
      this.store.update({ hasToken: false });
    }
    if (state !== "connected") return;
    this.interrupted = info.hello?.snapshot?.interruptedRuns ?? [];
    this.store.update({ scopes: new Set(info.hello?.auth?.scopes ?? []) });
    void this.afterConnect();
  }

  private async afterConnect(): Promise<void> {
    await Promise.all([this.loadHistory(), this.loadSessions(), this.loadApprovals()]);
    await this.outbox.flush();
  }

  private async loadHistory(): Promise<void> {
    const key = this.store.get().route.session;
    try {
      const res = await this.client.request<{ sessionKey: string; messages: HistoryMessage[] }>("chat.history", {
        sessionKey: key,
        limit: 200,
      });
      if (this.store.get().route.session !== key) return;
      const notices: ChatItem[] = this.interrupted
        .filter((r) => r.sessionKey === res.sessionKey)
        .map((r) => ({
          kind: "error",
          id: `i-${r.runId}`,
          runId: r.runId,
          text: errorText(r.errorMessage, r.errorCode),
        }));
      this.store.update({ items: [...itemsFromHistory(res.messages), ...notices], historyLoaded: true });
      if (res.sessionKey !== key) this.go({ session: res.sessionKey });
    } catch (err) {
      if (!isDisconnect(err)) this.store.update({ notice: (err as Error).message, historyLoaded: true });
    }
  }

  async loadSessions(): Promise<void> {
    try {
      const res = await this.client.request<{ sessions: SessionRow[] }>("sessions.list", { limit: 200 });
      this.store.update({ sessions: res.sessions });
    } catch (err) {
      if (!isDisconnect(err)) this.store.update({ notice: (err as Error).message });
    }
  }

  private async loadApprovals(): Promise<void> {
    if (!this.hasScope("operator.approvals")) return this.store.update({ approvals: [] });
    const res = await this.client
      .request<{ approvals: Approval[] }>("exec.approval.list")
      .catch(() => ({ approvals: [] as Approval[] }));
    this.store.update({ approvals: res.approvals });
  }

  private onAck(e: OutboxEntry, ack: SendAck): void {
    // A deduped message whose run already ended gets no more events: nothing is running for it.
    const running = !ack.deduped || ack.status === "in_flight" || ack.status === "started";
    if (this.isCurrent(e.sessionKey))
      this.store.update((s) => ({
        items: withAckedMessage(s.items, {
          id: e.idempotencyKey,
          text: e.text,
          ...(ack.runId ? { runId: ack.runId } : {}),
        }),
        ...(running ? { run: { ...(ack.runId ? { runId: ack.runId } : {}), label: "sent" } } : {}),
      }));
    void this.loadSessions();
  }

  private isCurrent(sessionKey: string | undefined): boolean {
    return sessionKey === this.store.get().route.session;
  }

  private onEvent(event: string, payload: unknown): void {
    const p = payload as Record<string, unknown>;
    if (event === "exec.approval.requested")
      return this.store.update((s) => ({
        approvals: [...s.approvals.filter((a) => a.id !== p.id), p as unknown as Approval],
      }));
    if (event === "exec.approval.resolved")
      return this.store.update((s) => ({ approvals: s.approvals.filter((a) => a.id !== p.id) }));
    if (event === "agent" && p.stream === "tool") {
      if (this.isCurrent(p.sessionKey as string))
        this.store.update((s) => ({ items: applyToolEvent(s.items, p as unknown as ToolEvent) }));
      return;
    }
    if (event === "chat") return this.onChat(p as unknown as ChatEvent & StatusEvent);
    if (event !== "tick") this.store.update((s) => ({ eventTick: s.eventTick + 1 }));
  }

  private onChat(ev: ChatEvent & StatusEvent): void {
    if (!this.isCurrent(ev.sessionKey)) {
      if (ev.state === "final" || ev.state === "error") void this.loadSessions();
      return;
    }
    if (ev.state === "status") return this.store.update({ run: { runId: ev.runId, label: statusLabel(ev) } });
    const done = ev.state === "final" || ev.state === "error";
    this.store.update((s) => ({
      items: applyChatEvent(s.items, ev),
      run: done ? undefined : { runId: ev.runId, label: "writing" },
    }));
    if (done) void this.loadSessions();
  }
}
