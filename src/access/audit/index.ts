import type { AuditCheck } from "../../audit/index.js";
import { allowFromMissingCheck } from "./allow-from-missing.js";
import { allowFromWildcardCheck } from "./allow-from-wildcard.js";
import { dmOpenCheck } from "./dm-open.js";
import { discordBroadMembersCheck } from "./discord-guilds.js";
import { dmScopeMainCheck } from "./dm-scope-main.js";
import { groupsOpenCheck } from "./groups-open.js";
import { nameMatchingCheck } from "./name-matching.js";
import { telegramEntriesCheck } from "./telegram-entries.js";
import { trustModelCheck } from "./trust-model.js";

/** Inbound access checks (who can talk to the bot). */
export const accessAuditChecks: readonly AuditCheck[] = [
  dmOpenCheck,
  allowFromWildcardCheck,
  allowFromMissingCheck,
  groupsOpenCheck,
  dmScopeMainCheck,
  trustModelCheck,
  telegramEntriesCheck,
  nameMatchingCheck,
  discordBroadMembersCheck,
];
