/**
 * OpenClaw keys that would narrow privileges but that holdfast does not implement. Accepting and
 * ignoring them would fail open (the operator believes a limit is in force), so the loader refuses a
 * config that sets one, with the reason and what to use instead. Patterns are dotted key paths; `*`
 * matches one segment. Source: the containment issue ("a config key that narrows privileges is either
 * enforced or rejected").
 */
const NARROWING_KEYS: readonly { readonly pattern: string; readonly instead: string }[] = [
  {
    pattern: "tools.subagents",
    instead: "sub-sessions use their agent's tool policy; deny sessions_spawn to stop them",
  },
  { pattern: "agents.defaults.subagents", instead: "deny sessions_spawn (tools.deny) to stop sub-sessions" },
  { pattern: "agents.list.*.subagents", instead: "deny sessions_spawn in agents.list[].tools.deny" },
  { pattern: "tools.loopDetection", instead: "agents.defaults.maxToolIterations bounds every run" },
  { pattern: "tools.message", instead: "deny the message tool (tools.deny) or narrow it per group" },
  {
    pattern: "tools.exec.safeBinProfiles",
    instead: "list only stdin filters in tools.exec.safeBins, or use tools.exec.allowlist with exact args",
  },
  { pattern: "session.sendPolicy", instead: "tools.sessions.visibility and denying sessions_send" },
  { pattern: "session.agentToAgent", instead: "tools.agentToAgent.enabled / allow" },
  { pattern: "agents.defaults.sandbox.docker.ulimits", instead: "agents.defaults.sandbox.limits" },
  { pattern: "agents.list.*.sandbox.docker.ulimits", instead: "agents.list[].sandbox.limits" },
  ...["", "accounts.*."].flatMap((acct) =>
    ["actions", "contextVisibility", "groups.*.topics"].map((k) => ({
      pattern: `channels.*.${acct}${k}`,
      instead:
        k === "actions"
          ? "deny the message tool where it must not act"
          : k === "contextVisibility"
            ? "groupPolicy / groupAllowFrom and requireMention decide who reaches the agent"
            : "set requireMention / allowFrom / tools on the group itself",
    })),
  ),
  {
    pattern: "channels.defaults.contextVisibility",
    instead: "groupPolicy / groupAllowFrom decide who reaches the agent",
  },
];

/**
 * The refusal lines for `compatPaths` (the config paths holding an accepted-but-ignored value) that
 * would narrow privileges: `<path>: narrows privileges, but holdfast does not enforce it (...)`.
 */
export function narrowingKeyIssues(compatPaths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of compatPaths) {
    const hit = NARROWING_KEYS.find((k) => matches(k.pattern, p));
    if (hit)
      out.push(
        `${p}: would narrow privileges, but holdfast does not enforce it, so it is refused rather than ignored; remove it (instead: ${hit.instead})`,
      );
  }
  return out;
}

function matches(pattern: string, at: string): boolean {
  const a = pattern.split(".");
  const b = at.split(".");
  return a.length === b.length && a.every((seg, i) => seg === "*" || seg === b[i]);
}
