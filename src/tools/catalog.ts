/**
 * The tool catalogue: names holdfast provides, names the reference system knows (accepted in policies
 * so OpenClaw configs keep working, but never provided), aliases, groups and profiles.
 * Source: reference openclaw-semantics.md §6.1–§6.2, §6.4; seeds security-reference.md "Tool Access
 * Control".
 */

/** Tools holdfast implements. */
export const PROVIDED_TOOLS = [
  "read",
  "write",
  "edit",
  "apply_patch",
  "exec",
  "process",
  "web_fetch",
  "web_search",
  "sessions_list",
  "sessions_history",
  "sessions_send",
  "sessions_spawn",
  "session_status",
  "message",
  "memory_search",
  "memory_get",
  "image",
] as const;
export type ProvidedTool = (typeof PROVIDED_TOOLS)[number];

/** Channel ids: the reference treats them as tool names (channel actions) in policies. */
export const CHANNEL_TOOL_NAMES = [
  "telegram",
  "whatsapp",
  "discord",
  "slack",
  "signal",
  "imessage",
  "bluebubbles",
  "msteams",
  "matrix",
  "googlechat",
  "mattermost",
  "irc",
  "webchat",
] as const;

/** Tool names of the reference catalogue that holdfast does not provide (a policy may still name them). */
export const REFERENCE_ONLY_TOOLS = [
  "ls",
  "code_execution",
  "secrets",
  "x_search",
  "sessions",
  "sessions_search",
  "conversations_list",
  "conversations_send",
  "conversations_turn",
  "github_identity_status",
  "github_publish",
  "agents_wait",
  "sessions_yield",
  "subagents",
  "suggest_task",
  "dismiss_task",
  "browser",
  "screen",
  "theme",
  "dashboard",
  "terminal",
  "portal",
  "canvas",
  "show_widget",
  "heartbeat_respond",
  "automations",
  "gateway",
  "plugins",
  "openclaw",
  "nodes",
  "computer",
  "mobile_ui",
  "agents_list",
  "get_goal",
  "create_goal",
  "update_goal",
  "progress_card",
  "ask_user",
  "skill_workshop",
  "view_image",
  "image_generate",
  "music_generate",
  "video_generate",
  "tts",
  "pdf",
  "bundle-mcp",
  ...CHANNEL_TOOL_NAMES,
] as const;

/** Case-insensitive aliases (reference §6.1). */
export const TOOL_ALIASES: Readonly<Record<string, string>> = {
  bash: "exec",
  "apply-patch": "apply_patch",
  cron: "automations",
};

const SESSIONS = [
  "sessions",
  "sessions_list",
  "sessions_history",
  "sessions_search",
  "conversations_list",
  "conversations_send",
  "conversations_turn",
  "sessions_send",
  "sessions_spawn",
  "github_identity_status",
  "github_publish",
  "agents_wait",
  "sessions_yield",
  "subagents",
  "session_status",
  "suggest_task",
  "dismiss_task",
];

/** `group:*` membership (reference §6.1, 2026.9.6; `image` joins group:media as holdfast's image tool). */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:fs": ["ls", "read", "write", "edit", "apply_patch"],
  "group:runtime": ["exec", "process", "code_execution", "secrets"],
  "group:web": ["web_search", "web_fetch", "x_search"],
  "group:memory": ["memory_search", "memory_get"],
  "group:sessions": SESSIONS,
  "group:ui": ["browser", "screen", "theme", "dashboard", "terminal", "portal", "canvas", "show_widget"],
  "group:messaging": ["message"],
  "group:automation": ["heartbeat_respond", "automations", "gateway", "plugins", "openclaw"],
  "group:nodes": ["nodes", "computer", "mobile_ui"],
  "group:agents": [
    "agents_list",
    "get_goal",
    "create_goal",
    "update_goal",
    "progress_card",
    "ask_user",
    "skill_workshop",
  ],
  "group:media": ["view_image", "image_generate", "music_generate", "video_generate", "tts", "pdf", "image"],
  "group:plugins": ["bundle-mcp"],
  "group:openclaw": [...PROVIDED_TOOLS, ...REFERENCE_ONLY_TOOLS].filter(
    (n) =>
      !["ls", "read", "write", "edit", "apply_patch", "exec", "process", "canvas", "bundle-mcp"].includes(n) &&
      !(CHANNEL_TOOL_NAMES as readonly string[]).includes(n),
  ),
};

export const TOOL_PROFILE_NAMES = ["minimal", "coding", "messaging", "full"] as const;
export type ToolProfile = (typeof TOOL_PROFILE_NAMES)[number];

/**
 * Profiles (reference §6.2 restricted to what a profile can grant here; `gateway` is left out of
 * `minimal` and `messaging`, fail-closed). `full` is every tool.
 */
export const TOOL_PROFILES: Readonly<Record<ToolProfile, readonly string[]>> = {
  minimal: ["session_status"],
  coding: ["group:fs", "group:runtime", "group:web", "group:sessions", "group:memory", "image", "view_image"],
  messaging: [
    "group:messaging",
    "sessions_list",
    "sessions_history",
    "sessions_send",
    "sessions_spawn",
    "session_status",
  ],
  full: ["*"],
};

/** holdfast's profile when none is configured (the reference's unset profile grants everything). */
export const DEFAULT_TOOL_PROFILE: ToolProfile = "coding";

/** Sandbox tool policy defaults (reference §6.4); channel ids are denied too. */
export const DEFAULT_SANDBOX_ALLOW: readonly string[] = [
  "exec",
  "process",
  "read",
  "ls",
  "write",
  "edit",
  "apply_patch",
  "view_image",
  "sessions_list",
  "sessions_history",
  "sessions_search",
  "sessions_send",
  "sessions_spawn",
  "sessions_yield",
  "subagents",
  "session_status",
];
export const DEFAULT_SANDBOX_DENY: readonly string[] = [
  "browser",
  "canvas",
  "computer",
  "mobile_ui",
  "nodes",
  "automations",
  "gateway",
  ...CHANNEL_TOOL_NAMES,
];

const KNOWN = new Set<string>([...PROVIDED_TOOLS, ...REFERENCE_ONLY_TOOLS]);

/** Lowercases, trims and applies aliases: `Bash` → `exec`. */
export function normalizeToolName(name: string): string {
  const lower = name.trim().toLowerCase();
  return TOOL_ALIASES[lower] ?? lower;
}

/** True for a provided or reference tool name (after normalization). */
export function isKnownToolName(name: string): boolean {
  return KNOWN.has(normalizeToolName(name));
}

/** Every known tool name (provided first). */
export function knownToolNames(): string[] {
  return [...KNOWN];
}

/**
 * Expands policy entries into matchers: names are normalized, `group:*` expanded, `*` globs become
 * patterns. Unknown entries are returned in `unknown` (a glob is unknown when it matches no known name).
 */
export function expandEntries(entries: readonly string[]): {
  names: Set<string>;
  patterns: RegExp[];
  unknown: string[];
} {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  const unknown: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    const group = TOOL_GROUPS[entry];
    if (group) {
      for (const n of group) names.add(n);
    } else if (entry.includes("*")) {
      const re = globToRegExp(entry);
      patterns.push(re);
      if (![...KNOWN].some((n) => re.test(n))) unknown.push(raw);
    } else {
      const n = normalizeToolName(entry);
      if (!KNOWN.has(n)) unknown.push(raw);
      names.add(n);
    }
  }
  return { names, patterns, unknown };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}
