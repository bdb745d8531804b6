import type { Command } from "commander";
import { HoldfastError } from "../../errors/index.js";
import type { ChatMessage } from "../../sessions/index.js";
import { printJson, type CliIo } from "../io.js";
import { openLocalState } from "../local-state.js";
import { parsePositiveInt } from "../parse.js";
import { cliHint } from "../../infra/index.js";
import { purgeSessionCommand, registerSessionLifecycle } from "./sessions-lifecycle.js";

/**
 * `holdfast sessions list|show <key>|delete <key>`: reads and changes the session store on disk
 * directly (safe while the gateway runs: the index is the shared state database, transcripts are append-only).
 */
export function registerSessions(program: Command, io: CliIo): void {
  const sessions = program.command("sessions").description("list, show and delete conversation sessions");
  const store = async () => (await openLocalState()).sessions;
  sessions
    .command("list")
    .description("list sessions with their key, agent, message count and last activity")
    .option("--agent <id>", "only this agent")
    .option("--json", "JSON output")
    .action(async (o: { agent?: string; json?: boolean }) => {
      const list = await (await store()).list(o.agent);
      if (o.json) return printJson(io, { sessions: list, count: list.length });
      if (list.length === 0) return io.out("no sessions");
      for (const s of list)
        io.out(
          `${s.key}  ${s.messageCount} messages  updated ${new Date(s.updatedAt).toISOString()}${s.channel ? `  via ${s.channel}` : ""}`,
        );
    });
  sessions
    .command("show <key>")
    .description("show a session's last messages")
    .option("--limit <n>", "last N messages", "50")
    .option("--json", "JSON output")
    .action(async (key: string, o: { limit: string; json?: boolean }) => {
      const s = await store();
      const meta = await s.get(key);
      if (!meta)
        throw new HoldfastError("HF_SESSION_NOT_FOUND", `no session "${key}" (see: ${cliHint("sessions list")})`);
      const messages = await s.history(key, parsePositiveInt("--limit", o.limit));
      if (o.json) return printJson(io, { session: meta, messages });
      io.out(`${meta.key} (${meta.messageCount} messages)`);
      for (const m of messages) io.out(renderMessage(m));
    });
  sessions
    .command("delete <key>")
    .description("delete a session (its transcript is kept as <file>.deleted.<timestamp>; --purge keeps nothing)")
    .option("--purge", "remove the transcript, every archive of the session, its media and ledger rows")
    .action(async (key: string, o: { purge?: boolean }) => {
      if (o.purge) return purgeSessionCommand(key, io);
      if (!(await (await store()).delete(key)))
        throw new HoldfastError("HF_SESSION_NOT_FOUND", `no session "${key}" (see: ${cliHint("sessions list")})`);
      io.out(`deleted ${key}`);
    });
  registerSessionLifecycle(sessions, io);
}

function renderMessage(m: ChatMessage): string {
  const t = new Date(m.timestamp).toISOString();
  if (m.role === "tool") return `[${t}] tool ${m.name}${m.isError ? " (error)" : ""}: ${m.content}`;
  if (m.role === "assistant" && m.toolCalls?.length)
    return `[${t}] assistant: ${m.content} → calls ${m.toolCalls.map((c) => c.name).join(", ")}`;
  return `[${t}] ${m.role}: ${m.content}`;
}
