import { channelScopes, finding, type AuditCheck, type ChannelScope, type Finding } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

/** Group ids (or "*") that answer without a mention. Default requireMention is true. */
function unmentioned(s: ChannelScope): string[] {
  return Object.entries(s.groups)
    .filter(([, g]) => g.requireMention === false && g.enabled !== false)
    .map(([id]) => id);
}

/**
 * Open groups: `channels.<ch>.groups.open` (warn) for groupPolicy "open"; critical
 * `channels.<ch>.groups.open_without_mention` when such groups also answer without a mention.
 * Source: reference §4.4/§9.4; seeds "Group Chat Security". `security audit --fix` sets "allowlist".
 */
export const groupsOpenCheck: AuditCheck = {
  id: "channels.groups.open",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config)) {
      if (s.groupPolicy !== "open") continue;
      const noMention = unmentioned(s);
      out.push(
        finding({
          checkId: `channels.${s.channel}.groups.open`,
          severity: "warn",
          title: `Any group can add and use the bot on ${s.path}`,
          detail: `${s.path}.groupPolicy is "open": every group the bot is in, and every member, is admitted.`,
          remediation: `Set ${s.path}.groupPolicy to "allowlist" (${cliHint("security audit --fix")} does this) and list groups under ${s.path}.groups.`,
        }),
      );
      if (noMention.length > 0) {
        out.push(
          finding({
            checkId: `channels.${s.channel}.groups.open_without_mention`,
            severity: "critical",
            title: `Open groups answer without a mention on ${s.path}`,
            detail: `groupPolicy "open" and requireMention false for ${noMention.join(", ")}: every message in any group reaches the agent.`,
            remediation: `Set requireMention: true for ${s.path}.groups.${noMention[0]} and groupPolicy "allowlist".`,
          }),
        );
      }
    }
    return out;
  },
};
