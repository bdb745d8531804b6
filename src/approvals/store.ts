import { randomUUID } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { JsonFileStore } from "../infra/index.js";
import type { ArgvPattern } from "./types.js";

const EntrySchema = z.looseObject({
  id: z.string(),
  pattern: z.string().min(1),
  args: z.array(z.string()).optional(),
  source: z.string().optional(),
  createdAt: z.number().optional(),
  lastUsedAt: z.number().optional(),
});
const FileSchema = z.looseObject({
  version: z.literal(1),
  agents: z.record(z.string(), z.looseObject({ allowlist: z.array(EntrySchema).optional() })).optional(),
});
type ApprovalsFile = z.infer<typeof FileSchema>;

/** One persisted allow-always entry. */
export interface PersistedEntry {
  readonly id: string;
  readonly pattern: string;
  readonly args?: readonly string[];
  readonly createdAt?: number;
}

/**
 * `<stateDir>/exec-approvals.json` (mode 600, locked read-modify-write): the exact argv patterns
 * approved with `allow-always`, per agent. Shape (compatible with the reference's legacy file,
 * §6.6): `{version: 1, agents: {<agentId>: {allowlist: [{id, pattern, args, source, createdAt}]}}}`.
 * `pattern` is the resolved executable path; `args` the exact arguments.
 */
export class AllowAlwaysStore {
  private readonly file: JsonFileStore<ApprovalsFile>;

  constructor(
    stateDir: string,
    private readonly now: () => number,
  ) {
    this.file = new JsonFileStore(
      path.join(stateDir, "exec-approvals.json"),
      (raw) => FileSchema.parse(raw),
      () => ({ version: 1 as const, agents: {} }),
    );
  }

  /** Path of the file. */
  get path(): string {
    return this.file.file;
  }

  /** The entries of one agent. @throws HoldfastError HF_STATE_CORRUPT for a malformed file. */
  async entries(agentId: string): Promise<PersistedEntry[]> {
    const data = await this.file.read();
    return (data.agents?.[agentId]?.allowlist ?? []).map((e) => ({
      id: e.id,
      pattern: e.pattern,
      ...(e.args ? { args: e.args } : {}),
      ...(e.createdAt ? { createdAt: e.createdAt } : {}),
    }));
  }

  /** Adds exact patterns for an agent (duplicates are skipped). */
  async add(agentId: string, patterns: readonly ArgvPattern[]): Promise<void> {
    if (patterns.length === 0) return;
    await this.file.update((data) => {
      const agents = { ...(data.agents ?? {}) };
      const list = [...(agents[agentId]?.allowlist ?? [])];
      for (const p of patterns) {
        if (list.some((e) => e.pattern === p.pattern && JSON.stringify(e.args ?? []) === JSON.stringify(p.args)))
          continue;
        list.push({
          id: randomUUID(),
          pattern: p.pattern,
          args: [...p.args],
          source: "allow-always",
          createdAt: this.now(),
        });
      }
      agents[agentId] = { ...(agents[agentId] ?? {}), allowlist: list };
      return { value: { ...data, version: 1 as const, agents }, result: undefined };
    });
  }
}
