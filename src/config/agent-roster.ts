import os from "node:os";
import path from "node:path";
import { expandTilde, type HoldfastPaths } from "./paths.js";
import type { AgentEntry } from "./schema/agents.js";
import type { HoldfastConfig } from "./schema/root.js";

/** The configured agents: ids, entries and workspaces. */
export interface AgentRoster {
  /**
   * Agent ids, the default agent first: the one with `default: true`, else the first of
   * `agents.list`, else `main` (when the list is empty).
   */
  ids(): string[];
  /** The `agents.list` entry of an agent (undefined for `main` without an entry). */
  entry(agentId: string): AgentEntry | undefined;
  /**
   * The host workspace directory of an agent: its `workspace`, else `agents.defaults.workspace`
   * (`~` expanded), else `<stateDir>/workspace` for the default agent and `<stateDir>/workspace-<id>`
   * for the others.
   */
  workspaceOf(agentId: string): string;
}

/**
 * Agent ids of a config, the default agent first: the one with `default: true`, else the first of
 * `agents.list`, else `main` (when the list is empty).
 */
export function agentIdsOf(config: HoldfastConfig): string[] {
  const list = config.agents?.list ?? [];
  const def = list.find((a) => a.default)?.id ?? list[0]?.id ?? "main";
  return [def, ...list.map((a) => a.id).filter((id) => id !== def)];
}

/** The agent roster of a config (read once; the config of a running gateway does not change). */
export function agentRoster(
  config: HoldfastConfig,
  paths: Pick<HoldfastPaths, "stateDir" | "workspaceDir">,
  home: string = os.homedir(),
): AgentRoster {
  const list = config.agents?.list ?? [];
  const ids = () => agentIdsOf(config);
  const entry = (id: string) => list.find((a) => a.id === id);
  return {
    ids,
    entry,
    workspaceOf(id) {
      const configured = entry(id)?.workspace ?? config.agents?.defaults?.workspace;
      if (configured) return path.resolve(expandTilde(configured, home));
      return id === ids()[0] ? paths.workspaceDir : path.join(paths.stateDir, `workspace-${id}`);
    },
  };
}
