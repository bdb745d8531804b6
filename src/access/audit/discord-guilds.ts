import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * `channels.discord.allowlisted_groups.broad_members` (warn, reference §9.4): an allowlisted guild or
 * guild channel with no `users` restriction while the sender gate is open (`groupPolicy: "open"`, or
 * `"*"` in the list it falls back to): every member of that guild can drive the agent.
 */
export const discordBroadMembersCheck: AuditCheck = {
  id: "channels.discord.allowlisted_groups.broad_members",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config).filter((c) => c.channel === "discord")) {
      const fallback = s.groupAllowFrom.length > 0 ? s.groupAllowFrom : s.allowFrom;
      const openSenders = s.groupPolicy === "open" || fallback.some((e) => String(e).trim() === "*");
      if (!openSenders || s.groupPolicy === "disabled") continue;
      const broad = Object.entries(s.groups)
        .filter(
          ([, g]) => g.enabled !== false && (g.allowFrom === undefined || g.allowFrom.some((e) => String(e) === "*")),
        )
        .map(([id]) => id);
      if (broad.length === 0) continue;
      out.push(
        finding({
          checkId: "channels.discord.allowlisted_groups.broad_members",
          severity: "warn",
          title: `Every member of an allowlisted guild can use the bot on ${s.path}`,
          detail: `${broad.slice(0, 5).join(", ")}: no users restriction, and the sender allowlist is open.`,
          remediation: `Set ${s.path}.guilds.<guildId>.users to the member ids who may talk to the bot.`,
        }),
      );
    }
    return out;
  },
};
