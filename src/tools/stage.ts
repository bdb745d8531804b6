import {
  AllowAlwaysStore,
  approvalCommands,
  approvalMethods,
  ExecApprovals,
  forwardApprovalEvents,
} from "../approvals/index.js";
import type { ChatCommand } from "../commands/index.js";
import type { AgentRoster, HoldfastConfig } from "../config/index.js";
import type { GatewayPorts } from "../gateway/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { SecurityTrail } from "../trail/index.js";
import type { JailRuntime, SandboxManager } from "../sandbox/index.js";
import { elevatedCommand, elevatedGate, elevatedSenderOf, ElevatedSessions } from "./elevated.js";
import { ExecAuditor } from "./exec-audit.js";
import { execTool } from "./exec-tool.js";
import { editTool, readTool, writeTool } from "./file-tools.js";
import { JAIL_TOOLS, JailEnvironment } from "./jail-environment.js";
import { applyPatchTool } from "./patch-tool.js";
import { imageTool, type ImageDescriber } from "./image-tool.js";
import { memoryTools } from "./memory-tools.js";
import { messageTool, type ChannelOutbound } from "./message-tool.js";
import { TOOL_ALIASES } from "./catalog.js";
import { assertToolPolicyConfig } from "./policy-config.js";
import { PolicyGate } from "./policy-gate.js";
import { ProcessRegistry, processTool } from "./processes.js";
import { ToolRuntime } from "./runtime.js";
import { recordApprovals, toolActor } from "./trail-events.js";
import { sessionsAccess, sessionsPolicy, type SessionRunStarter, type SessionsReader } from "./sessions-access.js";
import { sessionsTools } from "./sessions-tools.js";
import { taintModeFor } from "./taint.js";
import { TaintGate } from "./taint-gate.js";
import { execPolicyBase, webFetchSettings, webSearchSettings } from "./settings.js";
import type { AnyToolDefinition, ToolContext } from "./types.js";
import { webFetchTool } from "./web-fetch.js";
import { webSearchTool } from "./web-search.js";

/** Dependencies of {@link createToolStage}: context plus the other stages' ports. */
export interface ToolStageDeps {
  readonly config: HoldfastConfig;
  /** Named in config errors. */
  readonly configPath: string;
  readonly stateDir: string;
  /** The gateway's environment (exec children get an allowlisted copy). */
  readonly env: NodeJS.ProcessEnv;
  /** The live secrets: the web search key, and the values exec audit records are scrubbed of. */
  readonly secrets: { get(path: string): string | undefined; values(): readonly string[] };
  readonly clock: Clock;
  readonly log: Logger;
  readonly roster: Pick<AgentRoster, "ids" | "workspaceOf">;
  readonly sandbox: SandboxManager;
  /** The jails' shared parts (host-jail backend, session cgroups, inbound media). */
  readonly jails: JailRuntime;
  readonly sessions: SessionsReader;
  /** The agent's runs (`sessions_send`, `sessions_spawn`). */
  readonly runs: SessionRunStarter;
  /** The agent's model (the `image` tool). */
  readonly describeImage: ImageDescriber;
  /** Sending through the channels (the `message` tool). */
  readonly channels: ChannelOutbound;
  /** Where the exec approval methods and events go. */
  readonly gateway: GatewayPorts;
  /**
   * The secrets stage's leak scan for text bound for the network: `web_fetch` and `web_search` refuse
   * a request that carries a configured secret (any encoding).
   */
  readonly leaks: (text: string) => boolean;
  /** Tools besides the built-in ones (tests). */
  readonly extraTools?: readonly AnyToolDefinition[];
  /** Tool refusals, exec approvals and elevated switches are recorded here. */
  readonly trail: SecurityTrail;
}

/** The tool stage: the gated tool runtime, exec approvals and elevated mode. */
export interface ToolStage {
  readonly runtime: ToolRuntime;
  readonly approvals: ExecApprovals;
  /** `/approve`, `/deny` and `/elevated`. */
  readonly commands: readonly ChatCommand[];
  /** The directory a run's tools work in (the sandbox workspace or the agent workspace). */
  workspaceFor(req: { readonly agentId: string; readonly sessionKey: string }): Promise<string>;
  /** Saves an inbound attachment where the session's jail sees it read-only; returns that path (`/inbox/...`). */
  saveMedia(
    target: { readonly agentId: string; readonly sessionKey: string },
    bytes: Uint8Array,
    extension: string | undefined,
  ): Promise<string>;
  /** Denies pending approvals and kills background processes. */
  stop(): void;
}

/**
 * Builds the tool stage: config checks (unknown tool names → HF_CONFIG_INVALID), exec approvals
 * (`<stateDir>/exec-approvals.json`; `exec.approval.*` methods and events on the gateway), elevated
 * switches (with `tools.elevated.requireApproval`, elevated exec asks for every command), the tool
 * catalogue, and the policy gate then the untrusted-content gate ({@link TaintGate}) every call passes.
 * @throws HoldfastError HF_CONFIG_INVALID naming each bad key path.
 */
export function createToolStage(deps: ToolStageDeps): ToolStage {
  const { config, log } = deps;
  assertToolPolicyConfig(config, deps.configPath);
  if (Array.isArray(config.tools?.elevated?.allowFrom))
    log.warn(
      "tools.elevated.allowFrom is a list; it must be an object per channel ({telegram: [ids]}), so elevated mode is unavailable",
    );
  const elevated = new ElevatedSessions();
  const store = new AllowAlwaysStore(deps.stateDir, () => deps.clock.now());
  const approvals = new ExecApprovals({
    clock: deps.clock,
    store,
    log,
    ...(config.tools?.exec?.approvalTimeoutMs ? { timeoutMs: config.tools.exec.approvalTimeoutMs } : {}),
  });
  deps.gateway.methods.register(...approvalMethods(approvals));
  forwardApprovalEvents(approvals, deps.gateway.broadcaster);
  recordApprovals(approvals, deps.trail);
  const env = new JailEnvironment({
    config,
    workspaceOf: (id) => deps.roster.workspaceOf(id),
    sandbox: deps.sandbox,
    elevated,
    hostBackend: deps.jails.hostBackend,
    cgroups: () => deps.jails.cgroups(),
    media: deps.jails.media,
    env: deps.env,
  });
  const processes = new ProcessRegistry(() => deps.clock.now());
  // `tools.elevated.requireApproval`: exec that elevated mode moved to the host asks every time.
  const approveElevated = (c: ToolContext) =>
    config.tools?.elevated?.requireApproval === true &&
    deps.sandbox.isSandboxed(c.agentId, c.sessionKey) &&
    elevated.isOn(c.sessionKey) &&
    elevatedGate(config, c.agentId, elevatedSenderOf(c.sender)).allow;
  const tools = builtinTools(deps, { env, store, approvals, processes, approveElevated });
  const gateSandbox = {
    isSandboxed: (agentId: string, sessionKey: string) => deps.sandbox.isSandboxed(agentId, sessionKey),
    jailAvailability: (agentId: string, sessionKey: string) => env.availability(agentId, sessionKey),
  };
  const runtime = new ToolRuntime(
    tools,
    // After the policy gate: a dangerous call of a turn that read untrusted content asks the owner.
    new TaintGate(new PolicyGate(config, gateSandbox, JAIL_TOOLS), {
      config,
      approver: approvals,
      trail: deps.trail,
      where: (c) => (deps.sandbox.isSandboxed(c.agentId, c.sessionKey) ? "sandbox" : "host"),
    }),
    TOOL_ALIASES,
    (refusal, c) =>
      void deps.trail.record({
        type: "tool.refused",
        actor: toolActor(c),
        details: { tool: refusal.tool, reason: refusal.reason, agentId: c.agentId },
      }),
  );
  return {
    runtime,
    approvals,
    commands: [...approvalCommands(approvals), elevatedCommand(elevated, () => config, { log, trail: deps.trail })],
    workspaceFor: (req) => env.workspaceFor(req.agentId, req.sessionKey),
    saveMedia: (target, bytes, ext) => env.saveMedia(target, bytes, ext),
    stop() {
      approvals.shutdown();
      processes.stopAll();
    },
  };
}

interface ToolParts {
  readonly env: JailEnvironment;
  readonly store: AllowAlwaysStore;
  readonly approvals: ExecApprovals;
  readonly processes: ProcessRegistry;
  /** True when this call's exec must ask an approver for every command (elevated + requireApproval). */
  readonly approveElevated: (c: ToolContext) => boolean;
}

/** The provided tools (reference §6.2), plus web_fetch / web_search when configured. */
function builtinTools(deps: ToolStageDeps, parts: ToolParts): AnyToolDefinition[] {
  const { config } = deps;
  const { env, store, processes } = parts;
  const base = execPolicyBase(config);
  const tools: AnyToolDefinition[] = [
    readTool(env.files),
    writeTool(env.files),
    editTool(env.files),
    applyPatchTool(env.files),
    execTool({
      target: (c) => env.execTarget(c),
      policy: async (c) => ({
        ...base,
        ...(parts.approveElevated(c) ? { ask: "always" as const } : {}),
        allowlist: [
          ...base.allowlist,
          ...(await store.entries(c.agentId)).map((e) => ({
            pattern: e.pattern,
            args: e.args ?? [],
            source: "allow-always" as const,
          })),
        ],
      }),
      approver: parts.approvals,
      audit: new ExecAuditor(deps.log, () => deps.secrets.values()),
      processes,
      taintMode: (agentId) => taintModeFor(config, agentId),
    }),
    processTool(processes),
    ...sessionsTools(sessionsAccess(deps.sessions, deps.runs), sessionsPolicy(config, deps.sandbox)),
    messageTool(deps.channels),
    ...memoryTools(env.files),
    imageTool(env.files, deps.describeImage),
    ...(deps.extraTools ?? []),
  ];
  const fetchSettings = webFetchSettings(config);
  if (fetchSettings) tools.push(webFetchTool(fetchSettings, deps.leaks));
  const searchSettings = webSearchSettings(config, deps.secrets.get("tools.web.search.apiKey"), deps.env);
  if (searchSettings) tools.push(webSearchTool(searchSettings, deps.leaks));
  return tools;
}
