import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { nextApproval, sendAndWait } from "../support/chat.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const DENIED = ["edit", "apply_patch", "process", "sessions_send"];
/** `sandbox.allowTools`: a sandboxed session is offered nothing else (and still nothing denyTools names). */
const ALLOWED = ["exec", "read", "write", "edit", "sessions_list"];

/**
 * Escape table, privilege-narrowing keys that were accepted and ignored (fail open) before:
 * `agents.*.sandbox.allowTools` / `denyTools`, `tools.elevated.requireApproval`, `tools.exec.applyPatch.enabled`,
 * `gateway.controlUi.enabled: false` and `gateway.controlUi.basePath`.
 */
describe("escape table: privilege-narrowing keys are enforced (real gateway, mock model)", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let hidden: GatewayProcess;
  let admin: GatewayClient;
  let approver: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    const model = mockModelConfig(mock.url);
    const defaults = (model.agents as { defaults: object }).defaults;
    gw = await spawnGateway(
      await makeStateDir({
        ...model,
        agents: {
          defaults: {
            ...defaults,
            sandbox: { mode: "non-main", backend: "bubblewrap", allowTools: ALLOWED, denyTools: DENIED },
          },
        },
        tools: {
          exec: { allowlist: ["uname"], approvalTimeoutMs: 60_000, applyPatch: { enabled: false } },
          elevated: { enabled: true, allowFrom: { webchat: ["operator"] }, requireApproval: true },
        },
        gateway: { controlUi: { basePath: "/holdfast/" } },
      }),
    );
    hidden = await spawnGateway(await makeStateDir({ gateway: { controlUi: { enabled: false } } }));
    const token = await gw.token();
    admin = await GatewayClient.connect({ url: gw.url, token, scopes: ["operator.admin"] });
    approver = await GatewayClient.connect({ url: gw.url, token, scopes: ["operator.read", "operator.approvals"] });
  });

  afterAll(async () => {
    admin?.close();
    approver?.close();
    await gw?.stop();
    await hidden?.stop();
    await mock?.close();
  });

  it("offers a sandboxed group session only what sandbox.allowTools names minus denyTools, nor apply_patch when disabled", async () => {
    const before = mock.requests.length;
    await sendAndWait(admin, "agent:main:telegram:group:-100777", "hello group");
    const offered = mock.requests[before]?.tools ?? [];
    expect(offered).toEqual(expect.arrayContaining(["exec", "read", "write"]));
    for (const t of DENIED) expect(offered).not.toContain(t);
    expect(offered.filter((t) => !ALLOWED.includes(t))).toEqual([]);
    const refused = await sendAndWait(
      admin,
      "agent:main:telegram:group:-100777",
      'tool edit {"path":"a","oldText":"x","newText":"y"}',
    );
    expect(refused.text).toContain('Tool "edit" is not available');
    const mainBefore = mock.requests.length;
    await sendAndWait(admin, "main", "hello main");
    expect(mock.requests[mainBefore]?.tools).toContain("edit");
    expect(mock.requests[mainBefore]?.tools).not.toContain("apply_patch");
  });

  it("asks for approval of an allowlisted command when elevated mode moved exec to the host (requireApproval)", async () => {
    const key = "agent:main:telegram:group:-100888";
    expect((await sendAndWait(admin, key, "/elevated on")).text).toContain("Elevated mode on");
    const requested = nextApproval(approver);
    const run = sendAndWait(admin, key, "exec uname", 30_000);
    const first = await Promise.race([requested.then(() => "approval requested"), run.then(() => "ran unasked")]);
    expect(first).toBe("approval requested");
    // The approver is told the command leaves its sandbox for the gateway host.
    expect(await requested).toMatchObject({ host: "host", elevated: true, command: "uname" });
    await approver.request("exec.approval.resolve", { id: (await requested).id, decision: "deny" });
    expect((await run).text).toContain("exec was not approved");
  });

  it("serves the WebChat page only under gateway.controlUi.basePath, and not at all when disabled", async () => {
    const http = (g: GatewayProcess, p: string) => fetch(`http://127.0.0.1:${g.port}${p}`, { redirect: "manual" });
    const page = await http(gw, "/holdfast/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="webchat/app.js"');
    expect((await http(gw, "/holdfast/webchat/app.js")).status).toBe(200);
    expect((await http(gw, "/holdfast")).status).toBe(308);
    // Not served: such paths fall through to the authenticated API (401 without a token).
    const notServed = async (g: GatewayProcess, p: string) => {
      const res = await http(g, p);
      expect(res.status, p).toBe(401);
      expect(res.headers.get("content-type"), p).not.toContain("text/html");
    };
    for (const p of ["/", "/webchat/app.js"]) await notServed(gw, p);
    for (const p of ["/", "/webchat/app.js", "/webchat/app.css"]) await notServed(hidden, p);
    expect((await http(hidden, "/health")).status).toBe(200);
  });
});
