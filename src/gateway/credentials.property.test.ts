import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmod, link, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isHoldfastError } from "../errors/index.js";
import { generatedToken } from "./credentials.js";

const root = await mkdtemp(path.join(os.tmpdir(), "holdfast-token-prop-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const stateArb = fc.record({
  kind: fc.constantFrom("regular", "regular", "regular", "symlink", "fifo", "directory"),
  extraBits: fc.constantFrom(0, 0, 0o040, 0o004, 0o060, 0o066, 0o020),
  hardLinked: fc.boolean(),
  bytes: fc.constantFrom(8, 16, 31, 32, 32, 48),
  repetitive: fc.boolean(),
});

/**
 * The generated token file is used only when it is a regular, private, single-link file of this user
 * holding 32 random bytes (hex); anything else refuses the start with HF_GATEWAY_TOKEN_FILE and the
 * error never carries the file's content.
 */
describe("generated gateway token file (property)", () => {
  it("is accepted exactly when it is a regular private single-link file of 32 random bytes", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(stateArb, async (s) => {
        const dir = path.join(root, String(n++));
        await mkdir(path.join(dir, "credentials"), { recursive: true, mode: 0o700 });
        const file = path.join(dir, "credentials", "gateway-token");
        const token = s.repetitive ? "ab".repeat(s.bytes) : randomBytes(s.bytes).toString("hex");
        const target = path.join(dir, "elsewhere");
        if (s.kind === "regular") await writeFile(file, `${token}\n`, { mode: 0o600 });
        if (s.kind === "symlink") {
          await writeFile(target, `${token}\n`, { mode: 0o600 });
          await symlink(target, file);
        }
        if (s.kind === "fifo") execFileSync("mkfifo", ["-m", "600", file]);
        if (s.kind === "directory") await mkdir(file, { mode: 0o700 });
        if (s.kind === "regular") {
          await chmod(file, 0o600 | s.extraBits);
          if (s.hardLinked) await link(file, target);
        }
        const ok = s.kind === "regular" && s.extraBits === 0 && !s.hardLinked && s.bytes >= 32 && !s.repetitive;
        const said: string[] = [];
        const got = await generatedToken({ paths: { generatedTokenFile: file }, say: (l) => said.push(l) }).then(
          (t) => ({ token: t }),
          (err: unknown) => ({ err }),
        );
        if (ok) expect(got).toEqual({ token });
        else {
          expect("err" in got && isHoldfastError(got.err) && got.err.code).toBe("HF_GATEWAY_TOKEN_FILE");
          expect(String((got as { err: Error }).err.message)).not.toContain(token);
        }
        expect(said).toEqual([]);
      }),
      { numRuns: 120 },
    );
  });
});
