import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEAKING_TXT_KEYS, MDNS_SERVICE_TYPE } from "../../src/discovery/index.js";
import { makeStateDir, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { canUseNetns, createNetns, PLAINTEXT_LAN, type NetNs } from "../support/netns.js";

const TOKEN = "Md7rX2kP9vT4wN1zQ6bL3hF8cJ5gS0yE";
type Browse = { services: { name: string; port: number; host: string; txt: Record<string, string> }[] };

describe.skipIf(!(await canUseNetns()))(
  "mDNS advertisement read back with bonjour-service's browser (network namespace)",
  () => {
    let ns: NetNs;
    const gateways: GatewayProcess[] = [];

    beforeAll(async () => {
      ns = await createNetns();
      for (const mode of ["minimal", "full"]) {
        const stateDir = await makeStateDir({
          gateway: { bind: "custom", customBindHost: ns.hostIp, tls: PLAINTEXT_LAN },
          discovery: { mdns: { mode } },
        });
        gateways.push(
          await spawnGateway(stateDir, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN, HOLDFAST_DISABLE_BONJOUR: "0" } }),
        );
      }
    });
    afterAll(async () => {
      for (const g of gateways) await g.stop();
      await ns?.cleanup();
    });

    it("minimal mode publishes the service name and port and none of the leaking fields; full mode does", async () => {
      const [minimal, full] = gateways as [GatewayProcess, GatewayProcess];
      const [found] = await ns.client<Browse[]>({
        actions: [{ kind: "browse", type: MDNS_SERVICE_TYPE, interfaceAddress: ns.peerIps[0], waitMs: 4000 }],
      });
      const byPort = new Map(found?.services.map((s) => [s.port, s]));
      const m = byPort.get(minimal.port);
      expect(m).toBeDefined();
      expect(m?.name).toBe("holdfast gateway");
      expect(m?.txt).toEqual({ role: "gateway", transport: "gateway", gatewayPort: String(minimal.port) });
      for (const k of LEAKING_TXT_KEYS) expect(m?.txt).not.toHaveProperty(k);
      expect(JSON.stringify(m)).not.toContain(os.hostname());
      const f = byPort.get(full.port);
      expect(f?.txt).toMatchObject({
        cliPath: expect.stringContaining("holdfast"),
        lanHost: `${os.hostname()}.local`,
        sshPort: "22",
      });
    });
  },
);
