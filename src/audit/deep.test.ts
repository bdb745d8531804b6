import { describe, expect, it } from "vitest";
import { makeStateDir } from "../../test/support/gateway-process.js";
import { startGateway } from "../app/index.js";
// eslint-disable-next-line no-restricted-imports -- drives the `security audit --deep` command in process (the CLI has no index)
import { securityAudit } from "../cli/commands/security.js";
import { loadAuditContext } from "./context.js";
import { deepProbe } from "./deep.js";

const TOKEN = "Dp4kW9qZ2xT7vR1mL8sN3bF6hJ0cY5gA";
/** Stands in for the host's LAN address: 127.0.0.2 answers only when the gateway listens on 0.0.0.0. */
const fakeLan = () => [{ address: "127.0.0.2", family: "IPv4", internal: false }];

async function withGateway<T>(
  config: Record<string, unknown>,
  bind: "loopback" | "lan",
  body: (env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  const stateDir = await makeStateDir(config);
  const env = { HOLDFAST_STATE_DIR: stateDir };
  const gw = await startGateway({ env, port: 0, bind, say: () => undefined });
  try {
    return await body(env);
  } finally {
    await gw.stop();
  }
}

describe("security audit --deep (live probe)", () => {
  it("reports a gateway that is not running", async () => {
    const env = { HOLDFAST_STATE_DIR: await makeStateDir() };
    const res = await deepProbe(await loadAuditContext({ env }));
    expect(res.gateway).toMatchObject({ attempted: false, ok: false });
    expect(res.findings.map((f) => f.checkId)).toEqual(["gateway.probe_failed"]);
  });

  it("passes a loopback gateway with token auth: authenticated probe ok, no anonymous access, quiet /health", async () => {
    await withGateway({ gateway: { auth: { token: TOKEN } } }, "loopback", async (env) => {
      const res = await deepProbe(await loadAuditContext({ env }), {
        credential: { token: TOKEN },
        interfaces: fakeLan,
      });
      expect(res.gateway).toMatchObject({ attempted: true, ok: true, error: null });
      expect(res.findings).toEqual([]);
    });
  });

  it("finds a gateway reachable on a network address", async () => {
    const plaintext = { tls: { dangerouslyAllowPlaintext: true } };
    await withGateway({ gateway: { auth: { token: TOKEN }, ...plaintext } }, "lan", async (env) => {
      const res = await deepProbe(await loadAuditContext({ env }), {
        credential: { token: TOKEN },
        interfaces: fakeLan,
      });
      expect(res.findings.map((f) => `${f.checkId}:${f.severity}`)).toEqual([
        "gateway.probe.reachable_non_loopback:critical",
      ]);
      expect(res.findings[0]?.detail).toContain("127.0.0.2:");
      expect(res.findings[0]?.detail).toContain("although gateway.bind is loopback");
    });
  });

  it("finds anonymous WebSocket and HTTP access when auth is none", async () => {
    await withGateway({ gateway: { auth: { mode: "none" } } }, "loopback", async (env) => {
      const res = await deepProbe(await loadAuditContext({ env }), { interfaces: () => [] });
      expect(res.findings.map((f) => `${f.checkId}:${f.severity}`).sort()).toEqual([
        "gateway.probe.http_unauthenticated:critical",
        "gateway.probe.ws_unauthenticated:critical",
      ]);
    });
  });

  it("adds the probe to the CLI report (`deep` in --json) using the CLI's own credential", async () => {
    await withGateway({ gateway: { auth: { token: TOKEN } } }, "loopback", async (env) => {
      const out: string[] = [];
      const code = await securityAudit(
        { deep: true, json: true },
        { out: (l) => out.push(l), err: () => undefined },
        { env, interfaces: fakeLan },
      );
      expect(code).toBe(0);
      const json = JSON.parse(out.join("\n")) as {
        deep: { gateway: { ok: boolean; url: string } };
        findings: { checkId: string }[];
      };
      expect(json.deep.gateway).toMatchObject({ ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });
      expect(json.findings.map((f) => f.checkId)).not.toContain("gateway.probe_failed");
    });
  });
});
