import type { AuditCheck } from "../../audit/index.js";
import { browserExposureCheck } from "./browser-exposure.js";
import { elevatedCheck } from "./elevated.js";
import { execFullCheck } from "./exec-full.js";
import { openExposureCheck } from "./open-exposure.js";
import { sessionVisibilityCheck } from "./session-visibility.js";
import { taintOffCheck } from "./taint-off.js";

/** Tool blast-radius checks (what the bot can touch). */
export const toolsAuditChecks: readonly AuditCheck[] = [
  elevatedCheck,
  execFullCheck,
  openExposureCheck,
  browserExposureCheck,
  sessionVisibilityCheck,
  taintOffCheck,
];
