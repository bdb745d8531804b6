import path from "node:path";
import { z } from "zod";
import type { ChatCommand } from "../commands/index.js";
import { HoldfastError } from "../errors/index.js";
import { defineMethod, type MethodRegistrar } from "../gateway/index.js";
import { cliHint, writeFileAtomic, type Clock } from "../infra/index.js";
import type { InboundMedia } from "../sandbox/index.js";
import type { SessionStore } from "../sessions/index.js";
import { eraseRows } from "../store/index.js";
import { EXPORT_FORMATS, exportFilePrefix, renderSession, type ExportFormat } from "./export-session.js";
import { resolvePerson } from "./person.js";
import type { RetentionPolicy } from "./policy.js";
import {
  exportPerson,
  forgetPerson,
  type PrivacyDeps,
  type PrivacyExportReport,
  type PrivacyForgetReport,
} from "./privacy.js";
import { runRetention, type CleanupReport, type RetentionDeps } from "./retention.js";

/** How often the gateway runs the retention sweep (ms): every 10 minutes, and once at start. */
export const RETENTION_INTERVAL_MS = 600_000;

/** Dependencies of {@link createLifecycleStage}. */
export interface LifecycleStageDeps
  extends Omit<RetentionDeps, "sessions" | "media">, Omit<PrivacyDeps, "sessions" | "media" | "now"> {
  readonly sessions: SessionStore;
  /** Inbound media (`<stateDir>/media`). */
  readonly media: InboundMedia;
  readonly policy: RetentionPolicy;
  readonly clock: Clock;
  /** `session.identityLinks`, followed by privacy export and forget. */
  readonly identityLinks?: Readonly<Record<string, readonly string[]>>;
  /** Registers the gateway methods (omitted by CLI commands that run without a gateway). */
  readonly methods?: MethodRegistrar;
}

/** The data lifecycle: retention sweeps, session export, and per-person export and erasure. */
export interface LifecycleStage {
  /** Runs one sweep now (after a sweep in progress). */
  cleanup(opts?: { readonly dryRun?: boolean }): Promise<CleanupReport>;
  /** A session rendered for export. @throws HoldfastError HF_SESSION_NOT_FOUND */
  exportSession(key: string, format: ExportFormat): Promise<{ text: string; messages: number }>;
  /**
   * Deletes a session leaving nothing: its transcript and every archive of its key, its media and its
   * ledger rows. Returns false when there was nothing to delete.
   */
  purgeSession(key: string): Promise<boolean>;
  /** `privacy export --sender`: see {@link exportPerson}. */
  exportPerson(sender: string, dir: string): Promise<PrivacyExportReport>;
  /** `privacy forget --sender`: see {@link forgetPerson}. */
  forget(sender: string, opts?: { readonly dryRun?: boolean }): Promise<PrivacyForgetReport>;
  /** `/export-session` (owner only): the session as HTML in the exports dir. */
  readonly commands: readonly ChatCommand[];
  /** First sweep now (in the background), then periodically. */
  start(): void;
  /** Stops the timer and waits for a sweep or erasure in progress. */
  stop(): Promise<void>;
}

/**
 * Builds the lifecycle stage. Sweeps and erasures never overlap (each waits for the one before); a
 * failed background sweep is logged and retried at the next interval. Gateway methods (scope
 * `operator.admin`: they remove data): `sessions.cleanup` {dryRun?} → {@link CleanupReport};
 * `sessions.export` {key, format?} → `{text, messages}` (scope `operator.read`, like `chat.history`);
 * `sessions.purge` {key} → `{ok, deleted}`; `privacy.forget` {sender, dryRun?} → {@link PrivacyForgetReport}.
 */
export function createLifecycleStage(deps: LifecycleStageDeps): LifecycleStage {
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = chain.then(job);
    chain = next.catch(() => undefined);
    return next;
  };
  const privacy: PrivacyDeps = { ...deps, now: () => deps.clock.now() };
  const cleanup = (opts: { readonly dryRun?: boolean } = {}) =>
    serial(() => runRetention(deps, deps.policy, { now: deps.clock.now(), ...(opts.dryRun ? { dryRun: true } : {}) }));
  const background = () =>
    void cleanup().catch((err: unknown) =>
      deps.log.warn({ err: (err as Error).message }, "retention sweep failed; retrying at the next interval"),
    );
  const exportSession = async (key: string, format: ExportFormat) => {
    const meta = await deps.sessions.get(key);
    if (!meta)
      throw new HoldfastError("HF_SESSION_NOT_FOUND", `no session "${key}" (see: ${cliHint("sessions list")})`);
    const messages = await deps.sessions.history(meta.key, 0);
    return { text: renderSession(meta, messages, format), messages: messages.length };
  };
  const purgeSession = (key: string) =>
    serial(async () => {
      const meta = await deps.sessions.get(key);
      const canonical = meta?.key ?? key;
      if (meta) deps.abortSession(meta.key);
      let deleted = meta ? await deps.sessions.delete(meta.key, { purge: true }) : false;
      for (const a of await deps.sessions.archives()) {
        const { header } = await deps.sessions.readArchive(a);
        if (header?.key !== canonical) continue;
        await deps.sessions.removeArchive(a);
        deleted = true;
      }
      if (meta) await deps.media.remove(meta.agentId, meta.key);
      eraseRows(deps.db, { sessionKeys: [canonical], senders: [] }, { dryRun: !deleted });
      return deleted;
    });
  const forget = (sender: string, opts: { readonly dryRun?: boolean } = {}) =>
    serial(() => forgetPerson(privacy, resolvePerson(sender, deps.identityLinks), opts));
  deps.methods?.register(
    defineMethod({
      name: "sessions.cleanup",
      scope: "operator.admin",
      params: z.looseObject({ dryRun: z.boolean().optional() }),
      handler: (p) => cleanup(p.dryRun ? { dryRun: true } : {}),
    }),
    defineMethod({
      name: "sessions.export",
      scope: "operator.read",
      params: z.looseObject({ key: z.string().min(1).max(512), format: z.enum(EXPORT_FORMATS).optional() }),
      handler: (p) => exportSession(p.key, p.format ?? "json"),
    }),
    defineMethod({
      name: "sessions.purge",
      scope: "operator.admin",
      params: z.looseObject({ key: z.string().min(1).max(512) }),
      handler: async (p) => ({ ok: true, deleted: await purgeSession(p.key) }),
    }),
    defineMethod({
      name: "privacy.forget",
      scope: "operator.admin",
      params: z.looseObject({ sender: z.string().min(3).max(300), dryRun: z.boolean().optional() }),
      handler: (p) => forget(p.sender, p.dryRun ? { dryRun: true } : {}),
    }),
  );
  const exportCommand: ChatCommand = {
    name: "export-session",
    summary: "save this session as an HTML page on the gateway host (owner only)",
    ownerOnly: true,
    stands: () => ({ method: "sessions.export", scope: "operator.read" }),
    async run(_args, inv) {
      if (!(await deps.sessions.get(inv.sessionKey))) return "Nothing to export yet: this session has no messages.";
      const { text, messages } = await exportSession(inv.sessionKey, "html");
      const name = `${exportFilePrefix(inv.sessionKey)}${deps.clock.now()}.html`;
      const file = path.join(deps.exportsDir, name);
      await writeFileAtomic(file, text);
      return `Exported ${messages} messages to ${file} (mode 600, on the gateway host).`;
    },
  };
  return {
    cleanup,
    exportSession,
    purgeSession,
    exportPerson: (sender, dir) => exportPerson(privacy, resolvePerson(sender, deps.identityLinks), dir),
    forget,
    commands: [exportCommand],
    start() {
      background();
      timer ??= setInterval(background, RETENTION_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await chain;
    },
  };
}
