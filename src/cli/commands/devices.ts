import type { Command } from "commander";
import type { AppContext } from "../../app/index.js";
import { connectLocalGateway, readPidInfo } from "../../client/index.js";
import { DeviceStore, viewPaired, type PairedDeviceView, type PendingRequest } from "../../devices/index.js";
import { cliContext, cliCredential } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { cliHint } from "../../infra/index.js";

/** Device pairing operations, against the running gateway or (when none runs) the store on disk. */
interface DeviceAdmin {
  list(): Promise<{ pending: PendingRequest[]; paired: PairedDeviceView[] }>;
  approve(id: string): Promise<{ device: PairedDeviceView }>;
  reject(id: string): Promise<{ request: PendingRequest }>;
  revoke(id: string): Promise<{ device: PairedDeviceView }>;
  close(): void;
}

/**
 * The running gateway is asked through its `device.*` methods (so a revoked device is also
 * disconnected at once); with no gateway running the store files are changed directly (locked, atomic).
 */
async function deviceAdmin(ctx: AppContext): Promise<DeviceAdmin> {
  if (await readPidInfo(ctx.paths.pidFile)) {
    const client = await connectLocalGateway(ctx, ["operator.pairing"], await cliCredential(ctx));
    const call = <T>(method: string, params: unknown) => client.request(method, params) as Promise<T>;
    return {
      list: () => call("device.pair.list", {}),
      approve: (id) => call("device.pair.approve", { requestId: id }),
      reject: (id) => call("device.pair.reject", { requestId: id }),
      revoke: (id) => call("device.revoke", { deviceId: id }),
      close: () => client.close(),
    };
  }
  const store = new DeviceStore(ctx.paths.devicesDir, ctx.clock);
  return {
    list: async () => ({ pending: await store.listPending(), paired: (await store.listPaired()).map(viewPaired) }),
    approve: async (id) => ({ device: viewPaired(await store.approve(id)) }),
    reject: async (id) => ({ request: await store.reject(id) }),
    revoke: async (id) => ({ device: viewPaired(await store.revoke(id)) }),
    close: () => undefined,
  };
}

async function withAdmin<T>(run: (admin: DeviceAdmin, ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await cliContext();
  const admin = await deviceAdmin(ctx);
  try {
    return await run(admin, ctx);
  } finally {
    admin.close();
  }
}

/**
 * `holdfast devices list|approve <id>|reject <id>|revoke <id>` (seeds "Device Pairing"; reference
 * §3.9). Ids are request ids or device ids (or a unique prefix of 8+ characters).
 */
export function registerDevices(program: Command, io: CliIo): void {
  const devices = program.command("devices").description("pair, list and revoke devices that connect to the gateway");
  devices
    .command("list")
    .description("list paired devices and pending pairing requests")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) =>
      withAdmin(async (admin, ctx) => {
        const res = await admin.list();
        if (o.json) return printJson(io, res);
        const now = ctx.clock.now();
        io.out(
          res.pending.length
            ? `Pending pairing requests (approve with: ${cliHint("devices approve <requestId>")}):`
            : "No pending pairing requests.",
        );
        for (const r of res.pending) {
          io.out(
            `  ${r.requestId}  device ${r.deviceId.slice(0, 16)}…  role ${r.role}  scopes ${r.scopes.join(",") || "-"}  from ${r.remoteIp}  ${r.displayName ?? r.clientId ?? ""}  expires in ${Math.ceil((r.expiresAt - now) / 1000)} s`,
          );
        }
        io.out(res.paired.length ? "Paired devices:" : "No paired devices.");
        for (const d of res.paired) {
          io.out(
            `  ${d.deviceId}  role ${d.role}  scopes ${d.scopes.join(",") || "-"}  ${d.approvedBy === "local-auto" ? "auto-approved (loopback)" : "approved"} ${new Date(d.approvedAt).toISOString()}${d.lastIp ? `  last ${d.lastIp}` : ""}`,
          );
        }
      }),
    );
  devices
    .command("approve <id>")
    .description("approve a pending pairing request; the device receives its device token on its next connect")
    .action((id: string) =>
      withAdmin(async (admin) => io.out(`approved device ${(await admin.approve(id)).device.deviceId}`)),
    );
  devices
    .command("reject <id>")
    .description("drop a pending pairing request")
    .action((id: string) =>
      withAdmin(async (admin) => io.out(`rejected pairing request ${(await admin.reject(id)).request.requestId}`)),
    );
  devices
    .command("revoke <id>")
    .description("unpair a device: its device token stops working and its connections are closed")
    .action((id: string) =>
      withAdmin(async (admin) => io.out(`revoked device ${(await admin.revoke(id)).device.deviceId}`)),
    );
}
