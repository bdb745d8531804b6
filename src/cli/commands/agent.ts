import type { Command } from "commander";
import { chatTurn, type GatewayClient } from "../../client/index.js";
import { HoldfastError } from "../../errors/index.js";
import { withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { parsePositiveInt } from "../parse.js";

interface AgentFlags {
  readonly message: string;
  readonly session: string;
  readonly json?: boolean;
  readonly timeout: string;
}

/** One turn's outcome, in the shape of the reference's `agent` answer (`result.payloads[{text}]`). */
interface TurnOutcome {
  readonly runId: string;
  readonly status: "ok" | "error";
  readonly result?: { readonly payloads: readonly { readonly text: string }[] };
  readonly error?: { readonly code?: string; readonly message: string };
}

/** Sends one turn through the gateway (`chat.send` and its `chat` final event) and waits for the reply. */
async function sendTurn(
  client: GatewayClient,
  o: AgentFlags,
  onDelta: ((text: string) => void) | undefined,
): Promise<TurnOutcome> {
  const turn = await chatTurn(client, {
    sessionKey: o.session,
    message: o.message,
    timeoutMs: parsePositiveInt("--timeout", o.timeout),
    ...(onDelta ? { onDelta } : {}),
  });
  if (turn.state === "final") return { runId: turn.runId, status: "ok", result: { payloads: [{ text: turn.text }] } };
  return {
    runId: turn.runId,
    status: "error",
    error: { message: turn.text, ...(turn.errorCode ? { code: turn.errorCode } : {}) },
  };
}

/**
 * `holdfast agent --message "…" [--session key] [--json]`: one turn through the running gateway; the
 * reply streams in a terminal, else it is printed when complete. Exit 1 when the turn fails.
 */
export function registerAgent(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("agent")
    .description("send one message to the agent through the running gateway and print the reply")
    .requiredOption("-m, --message <text>", "the message")
    .option("--session <key>", "session key (main = agent:main:main)", "main")
    .option("--timeout <ms>", "how long to wait for the reply", "600000")
    .option("--json", "JSON output: {runId, status, result: {payloads: [{text}]}} or {…, error}")
    .action(async (o: AgentFlags) => {
      if (o.message.trim() === "") throw new HoldfastError("HF_CLI_USAGE", "--message must not be empty");
      const streaming = !o.json && io.stream !== undefined;
      let streamed: string | undefined;
      const onDelta = streaming
        ? (t: string) => {
            streamed = (streamed ?? "") + t;
            io.stream?.(t);
          }
        : undefined;
      const out = await withLocalGateway(["operator.read", "operator.write"], (c) => sendTurn(c, o, onDelta));
      if (out.status === "error") setExit(1);
      if (o.json) return printJson(io, { sessionKey: o.session, ...out });
      if (out.error) return io.err(`${out.error.message}${out.error.code ? ` (${out.error.code})` : ""}`);
      const text = out.result?.payloads.map((p) => p.text).join("\n") ?? "";
      if (streamed === undefined) return io.out(text);
      // The final text is authoritative: a tail the gateway held back while scanning the stream arrives only there.
      io.stream?.(`${text.startsWith(streamed) ? text.slice(streamed.length) : ""}\n`);
    });
}
