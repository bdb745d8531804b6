import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";

const hasWildcard = (ids: readonly (string | number)[]) => ids.some((e) => String(e).trim() === "*");

/**
 * Wildcard allowlists: `"*"` in allowFrom admits every DM sender whatever the dmPolicy
 * (`channels.<ch>.allowFrom.wildcard`); in groupAllowFrom every member of every admitted group
 * (`channels.<ch>.groups.allowFrom.wildcard`, reference §9.4 Telegram). Both critical.
 */
export const allowFromWildcardCheck: AuditCheck = {
  id: "channels.allowFrom.wildcard",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config)) {
      if (hasWildcard(s.allowFrom) && s.dmPolicy !== "open" && s.dmPolicy !== "disabled") {
        out.push(
          finding(
            `channels.${s.channel}.allowFrom.wildcard`,
            "critical",
            `allowFrom "*" admits every sender on ${s.path}`,
            `${s.path}.allowFrom contains "*", so dmPolicy "${s.dmPolicy}" admits anyone.`,
            `Replace "*" in ${s.path}.allowFrom with the sender ids you trust.`,
          ),
        );
      }
      if (hasWildcard(s.groupAllowFrom) && s.groupPolicy !== "disabled") {
        out.push(
          finding(
            `channels.${s.channel}.groups.allowFrom.wildcard`,
            "critical",
            `groupAllowFrom "*" admits every group member on ${s.path}`,
            `${s.path}.groupAllowFrom contains "*": anyone in an admitted group can drive the agent.`,
            `List the member ids allowed to talk to the bot in ${s.path}.groupAllowFrom.`,
          ),
        );
      }
    }
    return out;
  },
};
