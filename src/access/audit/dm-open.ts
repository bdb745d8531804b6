import { channelScopes, finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

const where = (s: { channel: string; accountId?: string }) =>
  s.accountId ? `${s.channel} (account ${s.accountId})` : s.channel;

/**
 * Open DM policies: `channels.<ch>.dm.open` (critical) and `channels.<ch>.dm.open_invalid` (open
 * without "*" in allowFrom, warn). Source: reference §9.4 "Channels"; seeds "DM Access Control".
 */
export const dmOpenCheck: AuditCheck = {
  id: "channels.dm.open",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const s of channelScopes(ctx.config)) {
      if (s.dmPolicy !== "open") continue;
      out.push(
        finding({
          checkId: `channels.${s.channel}.dm.open`,
          severity: "critical",
          title: `Anyone can DM the bot on ${where(s)}`,
          detail: `${s.path}.dmPolicy is "open": every sender's message reaches the agent and its tools.`,
          remediation: `Set ${s.path}.dmPolicy to "pairing" (approve senders with ${cliHint("pairing approve")}) or "allowlist" with explicit allowFrom ids.`,
        }),
      );
      if (!s.allowFrom.some((e) => String(e) === "*")) {
        out.push(
          finding({
            checkId: `channels.${s.channel}.dm.open_invalid`,
            severity: "warn",
            title: `Open DM policy without "*" on ${where(s)}`,
            detail: `${s.path}.dmPolicy is "open" but allowFrom does not contain "*"; only the listed senders are admitted.`,
            remediation: `Use dmPolicy "allowlist" for a fixed list of senders.`,
          }),
        );
      }
    }
    return out;
  },
};
