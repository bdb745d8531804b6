import type { AuditCheck } from "../../audit/index.js";
import { mdnsFullCheck } from "./mdns.js";

/** Discovery (mDNS) checks. */
export const discoveryAuditChecks: readonly AuditCheck[] = [mdnsFullCheck];
