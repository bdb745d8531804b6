import { mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/index.js";
import { resolveBlueBubblesAccounts } from "./bluebubbles/settings.js";
import { redactUrl } from "../infra/index.js";
import { checkServiceUrl } from "./service-url.js";
import { resolveSignalAccounts } from "./signal/settings.js";

const src = (channels: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, secrets: Record<string, string> = {}) => ({
  config: validateConfig({ channels }).config,
  secrets: { get: (p: string) => secrets[p] },
  env,
});

describe("service URLs of signal-cli and BlueBubbles", () => {
  it("accepts loopback http and any https; refuses plain http to another host with the reason", () => {
    expect(checkServiceUrl("http://127.0.0.1:8080/", "x")).toBe("http://127.0.0.1:8080");
    expect(checkServiceUrl("http://[::1]:8080", "x")).toBe("http://[::1]:8080");
    expect(checkServiceUrl("https://mac.example.net/bb/", "x")).toBe("https://mac.example.net/bb");
    expect(() => checkServiceUrl("http://192.168.1.20:1234", "channels.bluebubbles.serverUrl")).toThrow(
      /channels\.bluebubbles\.serverUrl: plain http:\/\/ is allowed only to a loopback host.*needs https:\/\/ \(TLS\)/,
    );
    expect(() => checkServiceUrl("https://h/?password=x", "at")).toThrow(/must not carry credentials, a query/);
    expect(() => checkServiceUrl("ftp://h", "at")).toThrow(/http:\/\/ or https:\/\//);
    expect(redactUrl("http://h/api/v1/ping?password=s3cret")).toBe("http://h/api/v1/ping?password=***");
  });

  it("resolves a Signal account: E.164 required, default daemon URL, non-loopback http refused", () => {
    expect(resolveSignalAccounts(src({ signal: { account: "+15550000001" } }))[0]).toMatchObject({
      account: "+15550000001",
      httpUrl: "http://127.0.0.1:8080",
    });
    expect(() => resolveSignalAccounts(src({ signal: { account: "5550000001" } }))).toThrow(/E\.164/);
    expect(() =>
      resolveSignalAccounts(src({ signal: { httpUrl: "http://127.0.0.1:8080", dmPolicy: "open" } })),
    ).toThrow(/channels\.signal\.account: required/);
    expect(() =>
      resolveSignalAccounts(src({ signal: { account: "+15550000001", httpUrl: "http://signal.lan:8080" } })),
    ).toThrow(/channels\.signal\.httpUrl: plain http/);
  });

  it("generates a BlueBubbles webhook secret path once (600), keeps it, and refuses weak configured ones", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-bb-"));
    const env = { HOLDFAST_STATE_DIR: dir };
    const secrets = { "channels.bluebubbles.password": "pw-123456" };
    const cfg = { bluebubbles: { serverUrl: "http://127.0.0.1:1234" } };
    const [a] = await resolveBlueBubblesAccounts(src(cfg, env, secrets));
    const [b] = await resolveBlueBubblesAccounts(src(cfg, env, secrets));
    expect(a?.webhook.path).toMatch(/^\/bluebubbles-webhook\/[A-Za-z0-9_-]{32}$/);
    expect(b?.webhook.path).toBe(a?.webhook.path);
    const file = path.join(dir, "credentials", "bluebubbles", "default", "webhook-path");
    expect((await readFile(file, "utf8")).trim()).toBe(a?.webhook.path);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(
      resolveBlueBubblesAccounts(src({ bluebubbles: { ...cfg.bluebubbles, webhookPath: "/bb/short" } }, env, secrets)),
    ).rejects.toThrow(/webhookPath: must end in a secret segment/);
    await expect(resolveBlueBubblesAccounts(src(cfg, env, {}))).rejects.toThrow(
      /channels\.bluebubbles\.password: required/,
    );
    await expect(
      resolveBlueBubblesAccounts(src({ bluebubbles: { serverUrl: "http://mac.lan:1234" } }, env, secrets)),
    ).rejects.toThrow(/serverUrl: plain http/);
  });
});
