import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendAndWait } from "../support/chat.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnConnectedGateway,
  spawnGateway,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import { digestFiles, filesHolding, listFiles } from "../support/state-files.js";

const OLD = "the first passphrase of this state dir 1187";
const NEW = "the second passphrase after rotation 5521";
const BOT = { token: "700015:RotateTokenRotateTokenRotateTok00", id: 700015, username: "holdfast_rotate_bot" };
const ALICE = 3015;
const CANARY = "capybaraquetzal";
const PHOTO_CANARY = "axolotlnarwhal";

/** Files under the state dir holding `needle`, logs left out (not covered by encryption at rest). */
const holding = (dir: string, needle: string) => filesHolding(dir, needle, (f) => f.startsWith("logs/"));
const files = listFiles;
const digest = digestFiles;

describe("encryption at rest: rotate to a new key through the CLI and a real gateway", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
  });
  afterAll(async () => {
    await fake?.close();
    await mock?.close();
  });

  it("enable → sessions, queue, outbox and media with a canary → rotate → the new key starts, the old one and none refuse → no canary in any file", async () => {
    const stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      storage: { encryption: { key: { source: "env", provider: "default", id: "HF_AT_REST_KEY" } } },
      channels: {
        telegram: { apiRoot: fake.url, pollingTimeoutSec: 1, dmPolicy: "allowlist", allowFrom: [String(ALICE)] },
      },
    });
    const oldEnv = { HF_AT_REST_KEY: OLD, TELEGRAM_BOT_TOKEN: BOT.token };
    const newEnv = { HF_AT_REST_KEY: NEW, TELEGRAM_BOT_TOKEN: BOT.token };
    const on = await runCli(stateDir, ["encryption", "enable", "--json"], { env: oldEnv });
    expect(on.code, on.stderr).toBe(0);

    const first = await spawnConnectedGateway(stateDir, { env: oldEnv });
    expect((await sendAndWait(first.client, "agent:main:rot", `remember ${CANARY} please`)).state).toBe("final");
    await fake.waitForPoll(BOT.token);
    await fake.userSends(BOT.token, { from: { id: ALICE, first_name: "A" }, text: `telegram says ${CANARY}` });
    await fake.waitForSent((s) => s.chatId === String(ALICE) && s.text.includes(CANARY));
    fake.addFile("photo-r", Buffer.from(`jpeg bytes ${PHOTO_CANARY}`), "photos/r.jpg");
    await fake.userSends(BOT.token, {
      from: { id: ALICE, first_name: "A" },
      caption: "a photo",
      photo: [{ file_id: "photo-r", width: 10, height: 10, file_size: 30 }],
    });
    await fake.waitForSent((s) => s.chatId === String(ALICE) && s.text.includes("a photo"));
    // While the gateway runs: the database, its WAL and the media hold no canary either.
    expect(await holding(stateDir, CANARY)).toEqual([]);
    expect(await holding(stateDir, PHOTO_CANARY)).toEqual([]);
    expect((await files(stateDir)).some((f) => f.startsWith("media/"))).toBe(true);
    await first.close();

    const rotated = await runCli(stateDir, ["encryption", "rotate", "--new-key-env", "HF_NEW_KEY", "--json"], {
      env: { ...oldEnv, HF_NEW_KEY: NEW },
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    const report = JSON.parse(rotated.stdout) as { resealed: number; rows: number };
    expect(report.resealed).toBeGreaterThan(2);
    expect(report.rows).toBeGreaterThan(1);

    // The old key and no key: refused, nothing touched.
    const before = await digest(stateDir);
    const wrong = await spawnGateway(stateDir, { env: oldEnv }).catch((err: Error) => err.message);
    expect(wrong).toContain("the key given does not open this state dir");
    const none = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } }).catch(
      (err: Error) => err.message,
    );
    expect(none).toContain("no key was found (storage.encryption.key SecretRef is unresolved");
    expect(await digest(stateDir)).toEqual(before);

    // The new key: history reads back, a new turn works.
    const second = await spawnConnectedGateway(stateDir, { env: newEnv });
    expect((await sendAndWait(second.client, "agent:main:rot", "and now wombatkiwi")).state).toBe("final");
    await second.close();
    const shown = await runCli(stateDir, ["sessions", "show", "agent:main:rot", "--json"], { env: newEnv });
    expect(shown.stdout).toContain(CANARY);
    expect(shown.stdout).toContain("wombatkiwi");
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-rot-export-")), "x");
    const exported = await runCli(stateDir, ["privacy", "export", "--sender", `telegram:${ALICE}`, "--out", out], {
      env: newEnv,
    });
    expect(exported.code, exported.stderr).toBe(0);
    const media = (await files(out)).filter((f) => f.startsWith("media/"));
    expect(media).toHaveLength(1);
    expect(await readFile(path.join(out, media[0] as string), "utf8")).toContain(PHOTO_CANARY);

    for (const needle of [CANARY, PHOTO_CANARY, "wombatkiwi"]) expect(await holding(stateDir, needle)).toEqual([]);
    const status = JSON.parse((await runCli(stateDir, ["encryption", "status", "--json"])).stdout) as {
      state: string;
      files: { plaintext: number };
      covered: { where: string }[];
    };
    expect(status).toMatchObject({ state: "on", files: { plaintext: 0 } });
    expect(status.covered.map((c) => c.where)).toEqual(expect.arrayContaining(["state/holdfast.sqlite", "media/"]));
  }, 180_000);
});
