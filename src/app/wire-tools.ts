import os from "node:os";
import type { RunManager } from "../agent/index.js";
import { AllowAlwaysStore, approvalCommands, approvalMethods, ExecApprovals } from "../approvals/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import { HoldfastError } from "../errors/index.js";
import { sandboxConfigIssues, SandboxManager } from "../sandbox/index.js";
import type { SessionStore } from "../sessions/index.js";
import {
  applyPatchTool,
  assertToolPolicyConfig,
  editTool,
  ElevatedSessions,
  elevatedCommand,
  ExecAuditor,
  execPolicyBase,
  execTool,
  imageTool,
  memoryTools,
  messageTool,
  PolicyGate,
  ProcessRegistry,
  processTool,
  readTool,
  sessionsTools,
  ToolEnvironment,
  ToolRuntime,
  TOOL_ALIASES,
  webFetchSettings,
  webFetchTool,
  webSearchSettings,
  webSearchTool,
  writeTool,
  type AnyToolDefinition,
  type ChannelOutbound,
  type ImageDescriber,
  type ToolContext,
} from "../tools/index.js";
import type { AppContext } from "./context.js";
import { sessionsAccess, sessionsPolicy } from "./wire-tools-sessions.js";
import type { GatewayStage } from "./wire-gateway.js";

/** What the tool stage needs from the agent stage. */
export interface ToolStageDeps {
  readonly store: SessionStore;
  /** The run manager (built after the tools; read lazily). */
  readonly runs: () => RunManager;
  readonly agentIds: () => string[];
  readonly workspaceOf: (agentId: string) => string;
  readonly describeImage: ImageDescriber;
  readonly extraTools?: readonly AnyToolDefinition[];
}

/** The tool stage as wired. */
export interface ToolStage {
  readonly runtime: ToolRuntime;
  readonly approvals: ExecApprovals;
  readonly sandbox: SandboxManager;
  readonly elevated: ElevatedSessions;
  /** The directory a run's tools work in (sandbox workspace or agent workspace). */
  workspaceFor(req: { agentId: string; sessionKey: string }): Promise<string>;
  /** Connects the channel layer for the `message` tool (undefined: no channel can send). */
  setOutbound(outbound: ChannelOutbound | undefined): void;
  /** Registers approval methods/events and the /approve, /deny, /elevated commands. */
  attach(gateway: Pick<GatewayStage, "methods" | "broadcaster">, commands: ChatCommandRegistry): void;
  /** Denies pending approvals, kills background processes, stops pruning. */
  stop(): Promise<void>;
}

const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * Builds the tool stage: config checks (unknown tool names, sandbox safety → HF_CONFIG_INVALID),
 * the sandbox manager, exec approvals (`<stateDir>/exec-approvals.json`), elevated switches, the
 * tool catalogue and the policy gate.
 * @throws HoldfastError HF_CONFIG_INVALID naming each bad key path.
 */
export function wireTools(ctx: AppContext, deps: ToolStageDeps): ToolStage {
  const { config } = ctx;
  assertToolPolicyConfig(config, ctx.paths.configPath);
  const issues = sandboxConfigIssues(config, os.homedir());
  if (issues.length > 0)
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `Invalid config (${ctx.paths.configPath}):\n${issues.map((l) => `  - ${l}`).join("\n")}`,
      { issues },
    );
  if (Array.isArray(config.tools?.elevated?.allowFrom))
    ctx.log.warn(
      "tools.elevated.allowFrom is a list; it must be an object per channel ({telegram: [ids]}), so elevated mode is unavailable",
    );
  const log = ctx.log.child({ stage: "tools" });
  const sandbox = new SandboxManager({
    config,
    sandboxesDir: ctx.paths.sandboxesDir,
    workspaceOf: deps.workspaceOf,
    sessionIdOf: async (key) => (await deps.store.get(key))?.sessionId,
    agentIds: deps.agentIds,
    clock: ctx.clock,
    log,
  });
  const elevated = new ElevatedSessions();
  const store = new AllowAlwaysStore(ctx.paths.stateDir, () => ctx.clock.now());
  const approvals = new ExecApprovals({
    clock: ctx.clock,
    store,
    log,
    ...(config.tools?.exec?.approvalTimeoutMs ? { timeoutMs: config.tools.exec.approvalTimeoutMs } : {}),
  });
  const env = new ToolEnvironment({
    config,
    stateDir: ctx.paths.stateDir,
    sandboxesDir: ctx.paths.sandboxesDir,
    workspaceOf: deps.workspaceOf,
    agentIds: deps.agentIds,
    sandbox,
    elevated,
    env: ctx.env,
    log,
  });
  const processes = new ProcessRegistry(() => ctx.clock.now());
  let outbound: ChannelOutbound | undefined;
  const scope = (c: ToolContext) => env.scopeFor(c);
  const base = execPolicyBase(config);
  const tools: AnyToolDefinition[] = [
    readTool(scope),
    writeTool(scope),
    editTool(scope),
    applyPatchTool((c) => env.scopeFor(c, "patch")),
    execTool({
      target: (c) => env.execTarget(c),
      policy: async (c) => ({
        ...base,
        allowlist: [
          ...base.allowlist,
          ...(await store.entries(c.agentId)).map((e) => ({
            pattern: e.pattern,
            args: e.args ?? [],
            source: "allow-always" as const,
          })),
        ],
      }),
      approver: approvals,
      audit: new ExecAuditor(log, () => ctx.secrets.values()),
      processes,
    }),
    processTool(processes),
    ...sessionsTools(sessionsAccess(deps.store, deps.runs), sessionsPolicy(config, sandbox)),
    messageTool(() => outbound),
    ...memoryTools(scope),
    imageTool(scope, deps.describeImage),
    ...(deps.extraTools ?? []),
  ];
  const fetchSettings = webFetchSettings(config);
  if (fetchSettings) tools.push(webFetchTool(fetchSettings));
  const searchSettings = webSearchSettings(config, ctx.secrets.get("tools.web.search.apiKey"), ctx.env);
  if (searchSettings) tools.push(webSearchTool(searchSettings));
  const runtime = new ToolRuntime(tools, new PolicyGate(config, sandbox), TOOL_ALIASES);
  void sandbox.prune();
  const pruneTimer = setInterval(() => void sandbox.prune(), PRUNE_INTERVAL_MS);
  pruneTimer.unref();
  return {
    runtime,
    approvals,
    sandbox,
    elevated,
    workspaceFor: (req) => env.workspaceFor(req.agentId, req.sessionKey),
    setOutbound: (o) => (outbound = o),
    attach(gateway, commands) {
      gateway.methods.register(...approvalMethods(approvals));
      approvals.onEvent((ev) => {
        if (ev.type === "requested")
          gateway.broadcaster.broadcast("exec.approval.requested", ev.request, "operator.approvals");
        else
          gateway.broadcaster.broadcast(
            "exec.approval.resolved",
            { id: ev.id, decision: ev.decision, ...(ev.by ? { by: ev.by } : {}) },
            "operator.approvals",
          );
      });
      commands.register(
        ...approvalCommands(approvals),
        elevatedCommand(elevated, () => config, log),
      );
    },
    async stop() {
      clearInterval(pruneTimer);
      approvals.shutdown();
      processes.stopAll();
    },
  };
}
