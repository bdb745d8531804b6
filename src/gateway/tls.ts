import { createPrivateKey, X509Certificate } from "node:crypto";
import { promises as fsp } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { readFileIfExists, writeFileAtomic } from "../infra/index.js";

/** `gateway.tls`. */
export interface TlsConfig {
  readonly enabled?: boolean;
  readonly certPath?: string;
  readonly keyPath?: string;
  /** Generate a self-signed certificate when no certPath/keyPath is given. Default true. */
  readonly autoGenerate?: boolean;
}

/** The certificate and key the gateway serves, and the fingerprint clients pin. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, `AB:CD:...` (what `openssl x509 -fingerprint -sha256` prints). */
  readonly fingerprint256: string;
  readonly source: "files" | "generated";
  readonly certPath: string;
}

/** Validity of a generated certificate (days); it is regenerated when less than a day is left. */
export const GENERATED_CERT_DAYS = 365;

/**
 * Loads the gateway's TLS material (seeds data-privacy-and-security-policies.md "Transport
 * Encryption"): nothing unless `enabled`; `certPath` + `keyPath` when given (the key file must not
 * be readable by group or others); else a self-signed ECDSA P-256 certificate generated with
 * `selfsigned` into `<tlsDir>/gateway-cert.pem` and `gateway-key.pem` (600 in a 700 dir), reused
 * until it nears expiry. SANs: localhost, 127.0.0.1, ::1, the host name and `extraHosts`.
 * @throws HoldfastError HF_GATEWAY_TLS for unreadable, mismatched or exposed files.
 */
export async function loadTls(
  cfg: TlsConfig | undefined,
  tlsDir: string,
  extraHosts: readonly string[],
  now: number,
): Promise<TlsMaterial | undefined> {
  if (cfg?.enabled !== true) return undefined;
  if (cfg.certPath || cfg.keyPath) {
    if (!cfg.certPath || !cfg.keyPath)
      throw tlsError("gateway.tls needs both certPath and keyPath (or neither, with autoGenerate)");
    return fromFiles(cfg.certPath, cfg.keyPath, "files");
  }
  if (cfg.autoGenerate === false)
    throw tlsError("gateway.tls.enabled is true but no certPath/keyPath is set and autoGenerate is false");
  const certPath = path.join(tlsDir, "gateway-cert.pem");
  const keyPath = path.join(tlsDir, "gateway-key.pem");
  const existing = await readFileIfExists(certPath);
  if (existing && Date.parse(new X509Certificate(existing).validTo) - now > 86_400_000)
    return fromFiles(certPath, keyPath, "generated");
  // selfsigned (node-forge) is loaded only when a certificate has to be generated.
  const { generate } = await import("selfsigned");
  const pems = await generate([{ name: "commonName", value: "holdfast gateway" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + GENERATED_CERT_DAYS * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: subjectAltNames(extraHosts) },
    ],
  });
  await writeFileAtomic(keyPath, pems.private);
  await writeFileAtomic(certPath, pems.cert);
  return fromFiles(certPath, keyPath, "generated");
}

/**
 * The refusals of {@link loadTls} without its side effects (no certificate is generated): the
 * configured certificate and key must be readable, private and matching; a generated certificate is
 * checked when one exists. Used by the gateway's start preconditions (`holdfast doctor`).
 * @throws HoldfastError HF_GATEWAY_TLS.
 */
export async function checkTls(cfg: TlsConfig | undefined, tlsDir: string): Promise<void> {
  if (cfg?.enabled !== true) return;
  if (cfg.certPath || cfg.keyPath) {
    if (!cfg.certPath || !cfg.keyPath)
      throw tlsError("gateway.tls needs both certPath and keyPath (or neither, with autoGenerate)");
    await fromFiles(cfg.certPath, cfg.keyPath, "files");
    return;
  }
  if (cfg.autoGenerate === false)
    throw tlsError("gateway.tls.enabled is true but no certPath/keyPath is set and autoGenerate is false");
  const certPath = path.join(tlsDir, "gateway-cert.pem");
  if (await readFileIfExists(certPath)) await fromFiles(certPath, path.join(tlsDir, "gateway-key.pem"), "generated");
}

function subjectAltNames(extraHosts: readonly string[]): { type: 2 | 7; value?: string; ip?: string }[] {
  const names = new Set(["localhost", "127.0.0.1", "::1", os.hostname(), ...extraHosts.filter((h) => h !== "0.0.0.0")]);
  return [...names].map((n) => (net.isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
}

async function fromFiles(certPath: string, keyPath: string, source: TlsMaterial["source"]): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([read(certPath), read(keyPath)]);
  const st = await fsp.stat(keyPath);
  if ((st.mode & 0o077) !== 0) throw tlsError(`TLS key file ${keyPath} is readable by group or others (chmod 600 it)`);
  let x509: X509Certificate;
  let matches: boolean;
  try {
    x509 = new X509Certificate(cert);
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw tlsError(`TLS certificate ${certPath} / key ${keyPath} are unusable: ${(err as Error).message}`);
  }
  if (!matches)
    throw tlsError(
      `TLS certificate ${certPath} / key ${keyPath} are unusable: the key does not belong to the certificate`,
    );
  return { cert, key, fingerprint256: x509.fingerprint256, source, certPath };
}

async function read(file: string): Promise<string> {
  const text = await readFileIfExists(file).catch(() => undefined);
  if (text === undefined) throw tlsError(`cannot read TLS file ${file}`);
  return text;
}

function tlsError(message: string): HoldfastError {
  return new HoldfastError("HF_GATEWAY_TLS", message);
}
