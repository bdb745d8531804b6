import path from "node:path";
import { z } from "zod";
import type { ExecApprovals } from "../approvals/index.js";
import type { HoldfastConfig } from "../config/index.js";
import { HoldfastError, type NodeResultCode } from "../errors/index.js";
import { decideExec } from "../tools/index.js";
import type { InvokeResult, NodeInvoker } from "./invoker.js";
import type { NodeEntry } from "./registry.js";

/** The command node hosts run programs with (reference node command). */
export const SYSTEM_RUN = "system.run";
/**
 * The capability a node declares in `connect.params.caps` when it enforces its own exec allowlist
 * and answers a miss with `SYSTEM_RUN_DENIED: approval required` (holdfast's node host does). A node
 * without it is gated here, by the gateway, before anything is sent to it.
 */
export const NODE_EXEC_POLICY_CAP = "exec-policy";
/** The error a node sends for a command that needs an approver first (its code: see docs/errors.md). */
export const APPROVAL_REQUIRED: { readonly code: NodeResultCode; readonly message: string } = {
  code: "SYSTEM_RUN_DENIED",
  message: "SYSTEM_RUN_DENIED: approval required",
};

/** Extra time `nodes.run` waits beyond the command's own timeout (transport). */
const INVOKE_MARGIN_MS = 5_000;
/** How long a node has to answer `system.run.prepare` (reference: 15 s). */
const PREPARE_TIMEOUT_MS = 15_000;

/** What running a program on a node needs. */
export interface NodeRunDeps {
  readonly invoker: Pick<NodeInvoker, "invoke">;
  readonly approvals: Pick<ExecApprovals, "request" | "allowlisted">;
  readonly config: HoldfastConfig;
}

/** One `nodes.run` request. */
export interface NodeRunRequest {
  readonly node: NodeEntry;
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** The approval key of a node: its allow-always entries (when the gateway gates it) live under it. */
export const nodeApprovalKey = (nodeId: string) => `node:${nodeId}`;

/**
 * Runs a program on a node under the node command allowlist, exec approvals and single-use approval
 * rules (seeds formal model "nodes-pipeline"; reference §3.9, §6.6):
 * 1. `gateway.nodes.commands.deny`/`allow` (exact names, deny wins) and the node must offer `system.run`;
 * 2. a node that enforces its own allowlist ({@link NODE_EXEC_POLICY_CAP}) is invoked; when it
 *    answers "approval required", an approver is asked and the node is invoked once more with that
 *    decision (`approved`, `approvalDecision`);
 * 3. any other node (the reference's node host runs everything by default) is gated here, on the
 *    node's `system.run.prepare` plan when it offers one: shell and privilege wrappers are refused
 *    outright; an argv allowed always for this node runs; anything else waits for an approver
 *    (allow-always persists the exact program and arguments for this node, on the gateway) — and
 *    only then is `system.run` sent, approved for that one invocation (with the plan).
 * Each approval resolves one invocation. Expired or denied = refused.
 * @throws HoldfastError HF_NODE_REFUSED (policy, approval, or the node refused), HF_NODE_TIMEOUT.
 */
export async function runOnNode(d: NodeRunDeps, r: NodeRunRequest): Promise<Record<string, unknown>> {
  commandAllowed(d.config, SYSTEM_RUN);
  if (!r.node.commands.includes(SYSTEM_RUN))
    throw new HoldfastError("HF_NODE_REFUSED", `node ${r.node.displayName} does not offer ${SYSTEM_RUN}`);
  const base = {
    command: [...r.argv],
    ...(r.cwd ? { cwd: r.cwd } : {}),
    ...(r.timeoutMs ? { timeoutMs: r.timeoutMs } : {}),
  };
  const send = (params: Record<string, unknown>) =>
    d.invoker.invoke(r.node, SYSTEM_RUN, params, { timeoutMs: (r.timeoutMs ?? 120_000) + INVOKE_MARGIN_MS });
  if (r.node.caps.includes(NODE_EXEC_POLICY_CAP)) {
    const first = await send(base);
    if (first.ok || first.error.code !== APPROVAL_REQUIRED.code || !/approval required/.test(first.error.message))
      return unwrap(first);
    const details = first.error.details ?? {};
    const reason = typeof details.reason === "string" ? details.reason : "not in the node's exec allowlist";
    const decision = await ask(d, r, { reason, persistable: details.persistable === true, patterns: [] });
    return unwrap(await send({ ...base, approved: true, approvalDecision: decision }));
  }
  return gatedRun(d, r, base, send);
}

/** The command reference node hosts prepare an approval plan with (argv pinned to the real executable). */
export const SYSTEM_RUN_PREPARE = "system.run.prepare";

/** What `system.run.prepare` answers (reference `plan`): the argv and cwd the node will run, and its text. */
const Plan = z.looseObject({
  argv: z.array(z.string()).min(1),
  cwd: z.string().nullish(),
  commandText: z.string().min(1),
  agentId: z.string().nullish(),
  sessionKey: z.string().nullish(),
});
type Plan = z.infer<typeof Plan>;

/**
 * The gated path (a node that runs what it is sent): the node's plan first when it offers
 * {@link SYSTEM_RUN_PREPARE} (reference: the executable pinned to its real path, the cwd made
 * canonical; an explicit approval is only accepted with that plan), then the gateway's decision
 * on what the plan will run, then the approver, and only then `system.run` with the plan.
 */
async function gatedRun(
  d: NodeRunDeps,
  r: NodeRunRequest,
  base: Record<string, unknown>,
  send: (params: Record<string, unknown>) => Promise<InvokeResult>,
): Promise<Record<string, unknown>> {
  const plan = r.node.commands.includes(SYSTEM_RUN_PREPARE) ? await prepare(d, r, base) : undefined;
  const [requested = "", ...args] = r.argv;
  const program = plan?.argv[0] ?? requested;
  const allowed = await d.approvals.allowlisted(nodeApprovalKey(r.node.nodeId));
  const verdict = decideExec(
    {
      security: "allowlist",
      ask: "on-miss",
      allowlist: allowed.map((e) => ({
        pattern: e.pattern,
        ...(e.args ? { args: e.args } : {}),
        source: "allow-always" as const,
      })),
      safeBins: [],
      safeBinTrustedDirs: [],
    },
    [{ argv: r.argv, path: program, ...(plan ? { real: program } : {}), viaPath: !requested.includes("/") }],
  );
  if (verdict.kind === "deny") throw new HoldfastError("HF_NODE_REFUSED", `refused on the gateway: ${verdict.detail}`);
  let approval: string = "allowlisted";
  if (verdict.kind === "ask")
    approval = await ask(d, r, {
      reason: verdict.detail,
      persistable: verdict.persistable,
      patterns: verdict.persistable ? [{ pattern: program, args }] : [],
      ...(plan ? { plan } : {}),
    });
  // The durable approval lives on the gateway (above); the node is told this one invocation is approved.
  const approved = { approved: true, approvalDecision: "allow-once" };
  const params = plan
    ? {
        ...base,
        command: plan.argv,
        rawCommand: plan.commandText,
        ...(plan.cwd ? { cwd: plan.cwd } : {}),
        systemRunPlan: plan,
        ...approved,
      }
    : { ...base, ...approved };
  return { ...unwrap(await send(params)), approval };
}

/**
 * Asks the node for its plan of `base` and checks it runs what was asked: the same arguments, and
 * the same program or the absolute path the node resolved it to.
 * @throws HoldfastError HF_NODE_REFUSED for a failed prepare or a plan that runs something else.
 */
async function prepare(d: NodeRunDeps, r: NodeRunRequest, base: Record<string, unknown>): Promise<Plan> {
  const res = await d.invoker.invoke(r.node, SYSTEM_RUN_PREPARE, base, { timeoutMs: PREPARE_TIMEOUT_MS });
  const payload = (unwrap(res) as { plan?: unknown }).plan;
  const plan = Plan.safeParse(payload);
  if (!plan.success) throw new HoldfastError("HF_NODE_REFUSED", "the node sent an invalid system.run.prepare plan");
  const [want = "", ...args] = r.argv;
  const [got = "", ...planArgs] = plan.data.argv;
  // The node pins the program to its real path and makes the cwd canonical; the decision and the
  // approver below see the plan, so only the arguments must be exactly those asked for.
  const sameProgram = got === want || path.posix.isAbsolute(got);
  const sameArgs = planArgs.length === args.length && planArgs.every((a, i) => a === args[i]);
  const cwdOk = !plan.data.cwd || path.posix.isAbsolute(plan.data.cwd);
  if (!sameProgram || !sameArgs || !cwdOk)
    throw new HoldfastError("HF_NODE_REFUSED", "the node's plan does not run the command that was asked for");
  return plan.data;
}

async function ask(
  d: NodeRunDeps,
  r: NodeRunRequest,
  a: {
    readonly reason: string;
    readonly persistable: boolean;
    readonly patterns: { pattern: string; args: readonly string[] }[];
    /** The node's plan: what the approver sees is what will run. */
    readonly plan?: Plan;
  },
): Promise<"allow-once" | "allow-always"> {
  const argv = a.plan?.argv ?? r.argv;
  const outcome = await d.approvals.request(
    {
      argv,
      segments: [argv],
      command: a.plan?.commandText ?? r.argv.join(" "),
      cwd: a.plan?.cwd ?? r.cwd ?? "(the node's working directory)",
      host: "node",
      agentId: nodeApprovalKey(r.node.nodeId),
      sessionKey: nodeApprovalKey(r.node.nodeId),
      reason: a.reason,
      persistable: a.persistable,
      patterns: a.patterns,
    },
    new AbortController().signal,
  );
  if (outcome.decision !== "allow-once" && outcome.decision !== "allow-always")
    throw new HoldfastError("HF_NODE_REFUSED", `not approved (${outcome.decision})`);
  return outcome.decision;
}

/** `gateway.nodes.commands`: exact names; deny wins; a set allow list admits only its members. */
function commandAllowed(config: HoldfastConfig, command: string): void {
  const c = config.gateway?.nodes?.commands;
  if (c?.deny?.includes(command))
    throw new HoldfastError("HF_NODE_REFUSED", `${command} is denied by gateway.nodes.commands.deny`);
  if (c?.allow && !c.allow.includes(command))
    throw new HoldfastError("HF_NODE_REFUSED", `${command} is not in gateway.nodes.commands.allow`);
}

function unwrap(r: InvokeResult): Record<string, unknown> {
  if (r.ok) return (r.payload ?? {}) as Record<string, unknown>;
  throw new HoldfastError("HF_NODE_REFUSED", `the node refused or failed: ${r.error.message}`, {
    nodeCode: r.error.code,
  });
}
