import { X509Certificate } from "node:crypto";
import { chmod, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTls } from "./tls.js";

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const tmp = () => mkdtemp(path.join(os.tmpdir(), "holdfast-tls-"));

describe("loadTls", () => {
  it("is off unless enabled", async () => {
    expect(await loadTls(undefined, await tmp(), [], Date.now())).toBeUndefined();
    expect(await loadTls({ autoGenerate: true }, await tmp(), [], Date.now())).toBeUndefined();
  });

  it("generates a self-signed certificate once, stores it 600 in a 700 dir, and reports its SHA-256 fingerprint", async () => {
    const dir = path.join(await tmp(), "tls");
    const first = await loadTls({ enabled: true }, dir, ["192.0.2.10"], Date.now());
    expect(first?.source).toBe("generated");
    expect(first?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(path.join(dir, "gateway-key.pem"))).toBe(0o600);
    expect(await mode(path.join(dir, "gateway-cert.pem"))).toBe(0o600);
    const x509 = new X509Certificate(await readFile(path.join(dir, "gateway-cert.pem")));
    expect(x509.fingerprint256).toBe(first?.fingerprint256);
    expect(x509.subjectAltName).toContain("IP Address:192.0.2.10");
    expect(x509.subjectAltName).toContain("DNS:localhost");
    const again = await loadTls({ enabled: true }, dir, [], Date.now());
    expect(again?.fingerprint256).toBe(first?.fingerprint256);
    const later = await loadTls({ enabled: true }, dir, [], Date.now() + 400 * 86_400_000);
    expect(later?.fingerprint256).not.toBe(first?.fingerprint256);
  });

  it("loads configured files, refusing a key readable by others and a mismatched pair", async () => {
    const a = path.join(await tmp(), "a");
    const b = path.join(await tmp(), "b");
    const one = await loadTls({ enabled: true }, a, [], Date.now());
    await loadTls({ enabled: true }, b, [], Date.now());
    const files = { certPath: path.join(a, "gateway-cert.pem"), keyPath: path.join(a, "gateway-key.pem") };
    expect((await loadTls({ enabled: true, ...files }, "/nonexistent", [], Date.now()))?.fingerprint256).toBe(
      one?.fingerprint256,
    );
    await expect(
      loadTls(
        { enabled: true, certPath: files.certPath, keyPath: path.join(b, "gateway-key.pem") },
        "/x",
        [],
        Date.now(),
      ),
    ).rejects.toMatchObject({ code: "HF_GATEWAY_TLS" });
    await chmod(files.keyPath, 0o644);
    await expect(loadTls({ enabled: true, ...files }, "/x", [], Date.now())).rejects.toMatchObject({
      code: "HF_GATEWAY_TLS",
      message: expect.stringContaining("readable by group or others"),
    });
    await expect(loadTls({ enabled: true, certPath: files.certPath }, "/x", [], Date.now())).rejects.toMatchObject({
      code: "HF_GATEWAY_TLS",
    });
    await writeFile(path.join(a, "junk.pem"), "not a certificate", { mode: 0o600 });
    await chmod(files.keyPath, 0o600);
    await expect(
      loadTls({ enabled: true, certPath: path.join(a, "junk.pem"), keyPath: files.keyPath }, "/x", [], Date.now()),
    ).rejects.toMatchObject({ code: "HF_GATEWAY_TLS" });
  });
});
