import { chmod, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applySafeFixes, tightenConfig } from "./fix.js";
import { auditIds, contextFor } from "./test-context.fixture.js";

const mode = async (p: string) => (await stat(p)).mode & 0o777;

/** A state dir with loose permissions everywhere. */
async function looseState(name = "state") {
  const root = await mkdtemp(path.join(os.tmpdir(), "holdfast-disk-"));
  const dir = path.join(root, name);
  const sessions = path.join(dir, "agents", "main", "sessions");
  await mkdir(sessions, { recursive: true });
  await mkdir(path.join(dir, "credentials"), { recursive: true });
  await mkdir(path.join(dir, "workspace"), { recursive: true });
  const config = { channels: { telegram: { groupPolicy: "open" } } };
  await writeFile(path.join(dir, "holdfast.json"), JSON.stringify(config));
  await writeFile(path.join(dir, "credentials", "gateway-token"), "t");
  await writeFile(path.join(sessions, "sessions.json"), "{}");
  await writeFile(path.join(sessions, "a.jsonl"), "");
  await writeFile(path.join(dir, "workspace", "notes.txt"), "mine");
  const log = path.join(root, "gw.log");
  await writeFile(log, "");
  const trail = path.join(dir, "audit");
  await mkdir(trail, { recursive: true });
  await writeFile(path.join(trail, "security.jsonl"), "");
  for (const [p, m] of [
    [dir, 0o777],
    [path.join(dir, "holdfast.json"), 0o666],
    [path.join(dir, "credentials"), 0o755],
    [path.join(dir, "credentials", "gateway-token"), 0o644],
    [path.join(dir, "agents"), 0o755],
    [sessions, 0o755],
    [path.join(sessions, "sessions.json"), 0o644],
    [path.join(sessions, "a.jsonl"), 0o644],
    [path.join(dir, "workspace", "notes.txt"), 0o644],
    [log, 0o644],
    [trail, 0o755],
    [path.join(trail, "security.jsonl"), 0o644],
  ] as const)
    await chmod(p, m);
  return { root, dir, sessions, log, trail, config };
}

describe("disk hygiene checks", () => {
  it("reports loose state dir, config, credentials, transcripts and logs", async () => {
    const s = await looseState();
    const ids = await auditIds(s.config, { stateDir: s.dir, logFiles: [s.log] });
    expect(ids).toEqual(
      expect.arrayContaining([
        "fs.state_dir.perms_world_writable:critical",
        "fs.state_dir.perms_readable:warn",
        "fs.config.perms_writable:critical",
        "fs.config.perms_world_readable:critical",
        "fs.credentials_dir.perms_readable:warn",
        "fs.sessions_store.perms_readable:warn",
        "fs.log_file.perms_readable:warn",
        "fs.audit_trail.perms:warn",
      ]),
    );
  });

  it("flags a symlinked config and a state dir in a synced folder", async () => {
    const s = await looseState("Dropbox-holdfast");
    const real = path.join(s.root, "real.json");
    await writeFile(real, "{}");
    const link = path.join(s.root, "link.json");
    await symlink(real, link);
    const ids = await auditIds({}, { stateDir: s.dir, env: { HOLDFAST_CONFIG_PATH: link } });
    expect(ids).toEqual(expect.arrayContaining(["fs.config.symlink:warn", "fs.synced_dir:warn"]));
  });
});

describe("security audit --fix", () => {
  it("tightens holdfast's own paths and the open group policy, skips symlinks, leaves the rest alone", async () => {
    const s = await looseState();
    const outside = path.join(s.root, "outside-secret.txt");
    await writeFile(outside, "x");
    await chmod(outside, 0o644);
    await symlink(outside, path.join(s.dir, "credentials", "linked"));
    const ctx = await contextFor(s.config, { stateDir: s.dir, logFiles: [s.log] });
    const fix = await applySafeFixes(ctx);
    expect(fix.ok).toBe(true);
    expect(fix.changes).toEqual(["channels.telegram.groupPolicy: open -> allowlist"]);
    expect(JSON.parse(await readFile(path.join(s.dir, "holdfast.json"), "utf8"))).toEqual({
      channels: { telegram: { groupPolicy: "allowlist" } },
    });
    for (const d of [s.dir, path.join(s.dir, "credentials"), path.join(s.dir, "agents"), s.sessions, s.trail])
      expect(await mode(d)).toBe(0o700);
    for (const f of [
      path.join(s.dir, "holdfast.json"),
      path.join(s.dir, "credentials", "gateway-token"),
      path.join(s.sessions, "a.jsonl"),
      path.join(s.trail, "security.jsonl"),
      s.log,
    ])
      expect(await mode(f)).toBe(0o600);
    expect(await mode(outside)).toBe(0o644);
    expect(await mode(path.join(s.dir, "workspace", "notes.txt"))).toBe(0o644);
    expect(fix.actions.find((a) => a.path.endsWith("linked"))).toMatchObject({ skipped: "symlink" });
    const again = await applySafeFixes(
      await contextFor(
        { channels: { telegram: { groupPolicy: "allowlist" } } },
        { stateDir: s.dir, logFiles: [s.log] },
      ),
    );
    expect(again.changes).toEqual([]);
    expect(again.actions.filter((a) => !a.skipped)).toEqual([]);
  });

  it("changes only open group policies and the redaction switch, and is idempotent (property)", () => {
    const policy = fc.constantFrom("open", "allowlist", "disabled", undefined);
    const holder = fc.record(
      {
        groupPolicy: policy,
        dmPolicy: fc.constantFrom("open", "pairing", undefined),
        allowFrom: fc.constantFrom(["*"], ["1"], undefined),
      },
      { requiredKeys: [] },
    );
    const raw = fc.record(
      {
        channels: fc.dictionary(
          fc.constantFrom("defaults", "telegram", "discord"),
          fc.record(
            {
              groupPolicy: policy,
              dmPolicy: fc.constantFrom("open", "pairing"),
              accounts: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), holder),
            },
            { requiredKeys: [] },
          ),
        ),
        logging: fc.record(
          { redactSensitive: fc.constantFrom("off", "tools", undefined), level: fc.constantFrom("info", "debug") },
          { requiredKeys: [] },
        ),
        gateway: fc.record({ bind: fc.constantFrom("lan", "loopback") }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(raw, (input) => {
        const before = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
        const next = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
        tightenConfig(next);
        const strip = (v: unknown): unknown =>
          JSON.parse(JSON.stringify(v, (k, x) => (k === "groupPolicy" || k === "redactSensitive" ? undefined : x)));
        expect(strip(next)).toEqual(strip(before));
        expect(JSON.stringify(next)).not.toContain('"groupPolicy":"open"');
        expect(JSON.stringify(next)).not.toContain('"redactSensitive":"off"');
        const twice = JSON.parse(JSON.stringify(next)) as Record<string, unknown>;
        expect(tightenConfig(twice)).toEqual([]);
      }),
    );
  });
});
