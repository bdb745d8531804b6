import { finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { blocks } from "./blocks.js";
import { serviceUrlChecks } from "./service-urls.js";
import { whatsappCredentialsCheck } from "./whatsapp.js";

/**
 * `channels.slack.http.signing_secret_missing` (critical): an account in HTTP mode without
 * `signingSecret`. holdfast refuses to start it (an unverified Events API endpoint would take anyone's
 * forged events), so the channel is down until it is set.
 */
const slackSigningSecretCheck: AuditCheck = {
  id: "channels.slack.http.signing_secret_missing",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const { path, block } of blocks(ctx, "slack")) {
      if (block.mode !== "http" || block.signingSecret !== undefined) continue;
      out.push(
        finding({
          checkId: "channels.slack.http.signing_secret_missing",
          severity: "critical",
          title: `Slack HTTP mode without a signing secret on ${path}`,
          detail: `${path}.mode is "http" but ${path}.signingSecret is not set: requests cannot be verified, so the gateway refuses to start the account.`,
          remediation: `Set ${path}.signingSecret (Slack app → Basic Information → Signing Secret) as a SecretRef or \${ENV}, or use mode "socket".`,
        }),
      );
    }
    return out;
  },
};

/**
 * `channels.discord.intents.privileged` (warn): the config asks for privileged gateway intents
 * (presence, guild members). holdfast needs only Guilds, GuildMessages, DirectMessages and
 * MessageContent and never requests more; the keys are inert and the bot's portal settings may grant
 * more than it uses.
 */
const discordIntentsCheck: AuditCheck = {
  id: "channels.discord.intents.privileged",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const { path, block } of blocks(ctx, "discord")) {
      const intents = (block.intents ?? {}) as { presence?: boolean; guildMembers?: boolean };
      const asked = [intents.presence ? "presence" : "", intents.guildMembers ? "guildMembers" : ""].filter(Boolean);
      if (asked.length === 0) continue;
      out.push(
        finding({
          checkId: "channels.discord.intents.privileged",
          severity: "warn",
          title: `Privileged Discord intents configured on ${path}`,
          detail: `${path}.intents asks for ${asked.join(" and ")}; holdfast requests only Guilds, GuildMessages, DirectMessages and MessageContent, so these are not used.`,
          remediation: `Remove ${path}.intents and switch the ${asked.join("/")} intents off for the bot in the Discord developer portal.`,
        }),
      );
    }
    return out;
  },
};

/** Checks about channel settings (the access checks are in `access/audit`). */
export const channelAuditChecks: readonly AuditCheck[] = [
  slackSigningSecretCheck,
  discordIntentsCheck,
  ...serviceUrlChecks,
  // WhatsApp
  whatsappCredentialsCheck,
];
