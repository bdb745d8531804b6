import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auditIds } from "./test-context.fixture.js";

describe("security audit: WhatsApp", () => {
  it("reports an open DM policy and wildcard allowlists with OpenClaw's checkIds", async () => {
    expect(await auditIds({ channels: { whatsapp: { dmPolicy: "open", allowFrom: ["*"] } } })).toContain(
      "channels.whatsapp.dm.open:critical",
    );
    const ids = await auditIds({
      channels: {
        whatsapp: { dmPolicy: "pairing", allowFrom: ["*"], groupPolicy: "allowlist", groupAllowFrom: ["*"] },
      },
    });
    expect(ids).toEqual(
      expect.arrayContaining([
        "channels.whatsapp.allowFrom.wildcard:critical",
        "channels.whatsapp.groups.allowFrom.wildcard:critical",
      ]),
    );
    expect(await auditIds({ channels: { whatsapp: { dmPolicy: "open", allowFrom: ["+15551234567"] } } })).toContain(
      "channels.whatsapp.dm.open_invalid:warn",
    );
  });

  it("reports a linked session others can read or write", async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "hf-wa-audit-"));
    const creds = path.join(stateDir, "credentials");
    const acct = path.join(creds, "whatsapp", "default");
    await mkdir(acct, { recursive: true, mode: 0o700 });
    await chmod(creds, 0o700);
    await chmod(path.join(creds, "whatsapp"), 0o700);
    await writeFile(path.join(acct, "creds.json"), "{}", { mode: 0o600 });
    const config = { channels: { whatsapp: { dmPolicy: "pairing" } } };
    const fs = (ids: string[]) => ids.filter((i) => i.startsWith("fs.credentials_dir"));
    expect(fs(await auditIds(config, { stateDir }))).toEqual([]);
    await chmod(path.join(acct, "creds.json"), 0o644);
    expect(fs(await auditIds(config, { stateDir }))).toEqual(["fs.credentials_dir.perms_readable:warn"]);
    await chmod(acct, 0o777);
    expect(fs(await auditIds(config, { stateDir })).sort()).toEqual([
      "fs.credentials_dir.perms_readable:warn",
      "fs.credentials_dir.perms_writable:critical",
    ]);
  });
});
