import type { Command } from "commander";
import type { ApprovalRequest } from "../../approvals/index.js";
import type { GatewayClient } from "../../client/index.js";
import { withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";

/** Runs `fn` with a client connected to the local gateway with scope `operator.approvals`. */
function withGateway<T>(fn: (c: GatewayClient) => Promise<T>): Promise<T> {
  return withLocalGateway(["operator.approvals"], fn);
}

/**
 * `holdfast approvals list [--json] | approve <id> [--always] | deny <id>`: pending exec approvals of
 * the running gateway (WS methods `exec.approval.list` / `exec.approval.resolve`, scope
 * `operator.approvals`). A request of a turn that read untrusted content gets a second line naming
 * it (`untrusted: this turn read https://…`). Source: issue "Exec approvals", reference §6.6.
 */
export function registerApprovals(program: Command, io: CliIo): void {
  const cmd = program
    .command("approvals")
    .description("list, approve and deny pending exec approvals of the running gateway");
  cmd
    .command("list")
    .description("list the exec approvals waiting for a decision")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const { approvals } = (await withGateway((c) => c.request("exec.approval.list"))) as {
        approvals: ApprovalRequest[];
      };
      if (o.json) return printJson(io, { approvals, count: approvals.length });
      if (approvals.length === 0) return io.out("no pending exec approvals");
      for (const a of approvals) {
        const left = Math.max(0, Math.round((a.expiresAtMs - Date.now()) / 1000));
        io.out(
          `${a.id}  ${a.command}  (cwd ${a.cwd}, ${a.host}${a.elevated ? " (elevated)" : ""}, ${a.sessionKey}, expires in ${left}s)${a.persistable ? "" : "  [once only]"}`,
        );
        // A tainted turn's request says what it read (URLs already redacted by the gateway).
        if (a.taint) io.out(`    untrusted: ${a.taint.summary}`);
      }
    });
  cmd
    .command("approve <id>")
    .description("let the command run (once, or --always: persist its exact argv for the agent)")
    .option("--always", "also allow this exact command in the future")
    .action(async (id: string, o: { always?: boolean }) => {
      const decision = o.always ? "allow-always" : "allow-once";
      await withGateway((c) => c.request("exec.approval.resolve", { id, decision }));
      io.out(`approved ${id} (${decision})`);
    });
  cmd
    .command("deny <id>")
    .description("refuse the command")
    .action(async (id: string) => {
      await withGateway((c) => c.request("exec.approval.resolve", { id, decision: "deny" }));
      io.out(`denied ${id}`);
    });
}
