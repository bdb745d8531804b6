import { z } from "zod";
import { compat, SecretInputSchema } from "./common.js";

/** `gateway.*`. Source: seeds security-architecture.md "Network Security"; reference §2–§3. */
export const GatewaySchema = z.strictObject({
  mode: z.enum(["local", "remote"]).optional(),
  bind: z.enum(["loopback", "lan", "tailnet", "auto", "custom"]).optional(),
  customBindHost: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  auth: z
    .strictObject({
      mode: z.enum(["token", "password", "trusted-proxy", "none"]).optional(),
      token: SecretInputSchema.optional(),
      password: SecretInputSchema.optional(),
      allowTailscale: z.boolean().optional(),
      rateLimit: z
        .strictObject({
          maxAttempts: z.number().int().min(1).max(1000).optional(),
          windowMs: z.number().int().min(1000).optional(),
          lockoutMs: z.number().int().min(1000).optional(),
          exemptLoopback: z.boolean().optional(),
        })
        .optional(),
      trustedProxy: z
        .strictObject({
          userHeader: z.string().optional(),
          requiredHeaders: z.array(z.string()).optional(),
          allowUsers: z.array(z.string()).optional(),
          allowLoopback: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
  trustedProxies: z.array(z.string()).optional(),
  /** Caps on connections that have not completed the handshake (per client address; in all). */
  handshake: z
    .strictObject({
      maxPendingPerIp: z.number().int().min(1).max(10_000).optional(),
      maxPending: z.number().int().min(1).max(100_000).optional(),
    })
    .optional(),
  allowRealIpFallback: z.boolean().optional(),
  tls: z
    .strictObject({
      enabled: z.boolean().optional(),
      certPath: z.string().optional(),
      keyPath: z.string().optional(),
      autoGenerate: z.boolean().optional(),
      /** Accept a non-loopback bind without TLS (tokens and messages in clear text). Audited. */
      dangerouslyAllowPlaintext: z.boolean().optional(),
    })
    .optional(),
  tailscale: z
    .strictObject({
      mode: z.enum(["off", "serve", "funnel"]).optional(),
      resetOnExit: z.boolean().optional(),
    })
    .optional(),
  controlUi: z
    .strictObject({
      enabled: z.boolean().optional(),
      basePath: z.string().optional(),
      allowedOrigins: z.array(z.string()).optional(),
      dangerouslyAllowHostHeaderOriginFallback: z.boolean().optional(),
      allowInsecureAuth: compat(),
      dangerouslyDisableDeviceAuth: compat(),
    })
    .optional(),
  nodes: z
    .strictObject({
      pairing: z.strictObject({ autoApproveLocal: z.boolean().optional() }).optional(),
      commands: z
        .strictObject({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() })
        .optional(),
    })
    .optional(),
  tools: z.strictObject({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() }).optional(),
  remote: compat(),
  reload: compat(),
  http: compat(),
  // Misplaced keys seen in the wild; kept so the loader can point at the right place.
  token: compat(),
  password: compat(),
});
export type GatewayConfig = z.infer<typeof GatewaySchema>;
