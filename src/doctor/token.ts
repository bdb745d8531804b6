import { randomBytes } from "node:crypto";

/** Bytes of a generated gateway token. Source: seeds security-architecture.md ("32 random bytes (hex)"). */
export const GATEWAY_TOKEN_BYTES = 32;

/** A new gateway token: 32 random bytes as 64 hex characters. */
export function generateGatewayToken(): string {
  return randomBytes(GATEWAY_TOKEN_BYTES).toString("hex");
}
