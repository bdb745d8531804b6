import { promises as fsp, readFileSync, statSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { systemClock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { FileSecurityTrail, trailPaths } from "./file-trail.js";
import { queryTrail, trailLines, verifyTrail } from "./read.js";

const fresh = () => trailPaths(mkdtempSync(path.join(os.tmpdir(), "hf-trail-")));
const trailOf = (p: ReturnType<typeof trailPaths>) =>
  new FileSecurityTrail(p, { clock: systemClock, log: silentLogger() });

describe("FileSecurityTrail", () => {
  it("appends a verifiable chain from several writers at once, files 600 in a 700 dir", async () => {
    const p = fresh();
    const a = trailOf(p);
    const b = trailOf(p);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).record({ type: "auth.failed", actor: { kind: "network", ip: "10.0.0.1" }, details: { n: i } }),
      ),
    );
    expect(await verifyTrail(p)).toMatchObject({ ok: true, entries: 10 });
    expect(statSync(p.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(p.file)).mode & 0o777).toBe(0o700);
    expect(statSync(p.keysFile, { throwIfNoEntry: false })).toBeUndefined();
  });

  it("names people by a pseudonym that forgetting their key unlinks", async () => {
    const p = fresh();
    const t = trailOf(p);
    const person = { channel: "telegram", id: "424242" };
    await t.record({ type: "pairing.approved", actor: { kind: "cli", command: "pairing approve" }, subject: person });
    await t.record({ type: "elevated.on", actor: { kind: "person", person }, details: { agentId: "main" } });
    expect(readFileSync(p.file, "utf8")).not.toContain("424242");
    const [first, second] = await queryTrail(p);
    expect(first?.subject).toMatch(/^p:[0-9a-f]{32}$/);
    expect(second?.actor).toEqual({ kind: "person", person: first?.subject });
    expect(statSync(p.keysFile).mode & 0o777).toBe(0o600);
    expect(await t.forgetPeople(["TELEGRAM:424242"], { dryRun: true })).toBe(1);
    expect(await t.forgetPeople(["telegram:424242"])).toBe(1);
    expect(readFileSync(p.keysFile, "utf8")).not.toContain("424242");
    await t.record({ type: "pairing.requested", subject: person });
    const third = (await queryTrail(p, { type: "pairing" }))[1];
    expect(third?.subject).not.toBe(first?.subject);
    expect(await verifyTrail(p)).toMatchObject({ ok: true, entries: 3 });
  });

  it("verify fails on an edited line and on a cut-off end; show filters by type and time", async () => {
    const p = fresh();
    const t = trailOf(p);
    for (const type of ["auth.failed", "config.changed", "auth.lockout"] as const) await t.record({ type });
    expect((await queryTrail(p, { type: "auth" })).map((e) => e.type)).toEqual(["auth.failed", "auth.lockout"]);
    expect(await queryTrail(p, { sinceMs: Date.now() + 60_000 })).toEqual([]);
    const lines = await trailLines(p);
    await fsp.writeFile(p.file, lines.slice(0, 2).join("\n") + "\n");
    expect(await verifyTrail(p)).toMatchObject({ ok: false, line: 3 });
    await fsp.writeFile(
      p.file,
      [lines[0], (lines[1] as string).replace("config.changed", "config.viewed"), lines[2]].join("\n") + "\n",
    );
    expect(await verifyTrail(p)).toMatchObject({ ok: false, line: 2, seq: 2 });
  });
});
