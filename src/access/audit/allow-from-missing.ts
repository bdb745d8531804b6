import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Channels without a DM allowlist. With dmPolicy "pairing" any stranger can reach the bot's pairing
 * flow (`channels.<ch>.allowFrom.missing`, warn; seeds privacy-and-security-guide.md "Mistake 1: No
 * allowlist"); with "allowlist" and no entries every DM is dropped (`channels.<ch>.dm.locked`, info).
 */
export const allowFromMissingCheck: AuditCheck = {
  id: "channels.allowFrom.missing",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config)) {
      if (s.allowFrom.length > 0) continue;
      if (s.dmPolicy === "pairing") {
        out.push(
          finding({
            checkId: `channels.${s.channel}.allowFrom.missing`,
            severity: "warn",
            title: `No allowlist on ${s.path}`,
            detail: `${s.path} has no allowFrom: anyone who finds the bot can message it and gets a pairing code.`,
            remediation: `Set ${s.path}.allowFrom to the sender ids you trust (pairing then only handles newcomers you expect).`,
          }),
        );
      } else if (s.dmPolicy === "allowlist") {
        out.push(
          finding({
            checkId: `channels.${s.channel}.dm.locked`,
            severity: "info",
            title: `Every DM is dropped on ${s.path}`,
            detail: `${s.path}.dmPolicy is "allowlist" with an empty allowFrom.`,
            remediation: `Add sender ids to ${s.path}.allowFrom, or set dmPolicy "disabled" to say so.`,
          }),
        );
      }
    }
    return out;
  },
};
