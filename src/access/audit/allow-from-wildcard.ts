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
          finding({
            checkId: `channels.${s.channel}.allowFrom.wildcard`,
            severity: "critical",
            title: `allowFrom "*" admits every sender on ${s.path}`,
            detail: `${s.path}.allowFrom contains "*", so dmPolicy "${s.dmPolicy}" admits anyone.`,
            remediation: `Replace "*" in ${s.path}.allowFrom with the sender ids you trust.`,
          }),
        );
      }
      if (hasWildcard(s.groupAllowFrom) && s.groupPolicy !== "disabled") {
        out.push(
          finding({
            checkId: `channels.${s.channel}.groups.allowFrom.wildcard`,
            severity: "critical",
            title: `groupAllowFrom "*" admits every group member on ${s.path}`,
            detail: `${s.path}.groupAllowFrom contains "*": anyone in an admitted group can drive the agent.`,
            remediation: `List the member ids allowed to talk to the bot in ${s.path}.groupAllowFrom.`,
          }),
        );
      }
    }
    return out;
  },
};
