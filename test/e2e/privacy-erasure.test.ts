import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { walkFiles, type PrivacyForgetReport } from "../../src/lifecycle/index.js";
import { sendAndWait } from "../support/chat.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnConnectedGateway,
  type ConnectedGateway,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const BOT = { token: "700002:PrivacyTokenPrivacyTokenPrivacy00", id: 700002, username: "holdfast_privacy_bot" };
const ALICE = 770011;
const ALICE_2 = 770099; // a second account of the same person, linked in session.identityLinks
const BOB = 770022;
const GROUP = { id: -770900, type: "supergroup" as const, title: "team" };
const CANARY_DM = "zebracanary41";
const CANARY_GROUP = "okapicanary77";
const CANARY_BOB = "lemurkeep55";
const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe("privacy export and erasure end to end (Telegram DM + group, linked identity)", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let stateDir: string;
  let configPath: string;
  let env: Record<string, string>;
  let running: ConnectedGateway;
  const cli = (...args: string[]) => runCli(stateDir, args, { env });
  const say = (from: number, text: string, chat?: typeof GROUP) =>
    fake.userSends(BOT.token, { from: { id: from, first_name: `U${from % 100}` }, text, ...(chat ? { chat } : {}) });

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
    stateDir = await makeStateDir();
    configPath = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-privacy-cfg-")), "holdfast.json");
    await writeFile(
      configPath,
      JSON.stringify({
        ...mockModelConfig(mock.url),
        logging: { file: path.join(stateDir, "logs", "holdfast.log") },
        session: { identityLinks: { al: [`telegram:${ALICE}`, `telegram:${ALICE_2}`] } },
        channels: {
          telegram: {
            apiRoot: fake.url,
            pollingTimeoutSec: 1,
            groupAllowFrom: [String(ALICE), String(BOB)],
            groups: { "*": { requireMention: false } },
          },
        },
      }),
      { mode: 0o600 },
    );
    env = { HOLDFAST_CONFIG_PATH: configPath, TELEGRAM_BOT_TOKEN: BOT.token };
    running = await spawnConnectedGateway(stateDir, { env });
    await fake.waitForPoll(BOT.token);
    // Alice pairs, then talks in her DM (with a photo) and in the group; Bob talks in the group.
    await say(ALICE, "hello");
    const code = /```\n([A-Z2-9]{8})\n```/.exec((await fake.waitForSent((s) => s.chatId === String(ALICE))).text)?.[1];
    expect((await cli("pairing", "approve", "telegram", code as string)).code).toBe(0);
    await say(ALICE, `my secret word is ${CANARY_DM}`);
    await fake.waitForSent((s) => s.text.includes(CANARY_DM));
    fake.addFile("photo-1", Buffer.from(`jpeg bytes ${CANARY_DM}`), "photos/p1.jpg");
    await fake.userSends(BOT.token, {
      from: { id: ALICE, first_name: "U11" },
      caption: "look",
      photo: [{ file_id: "photo-1", width: 10, height: 10, file_size: 30 }],
    });
    await fake.waitForSent((s) => s.chatId === String(ALICE) && s.text.includes("look"));
    await say(ALICE, `group note ${CANARY_GROUP}`, GROUP);
    await fake.waitForSent((s) => s.text.includes(CANARY_GROUP));
    await say(BOB, `bob says ${CANARY_BOB}`, GROUP);
    await fake.waitForSent((s) => s.text.includes(CANARY_BOB));
    await say(ALICE_2, "hi from my other account"); // linked: a pending pairing request
    await fake.waitForSent((s) => s.chatId === String(ALICE_2));
  }, 60_000);

  afterAll(() => running?.close(fake, mock));

  it("exports one session as json, md and html (600), and /export-session as the owner", async () => {
    const out = path.join(stateDir, "..", `hf-export-${process.pid}.md`);
    const r = await cli("sessions", "export", "agent:main:telegram:direct:al", "--format", "md", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toContain(CANARY_DM);
    expect(await mode(out)).toBe(0o600);
    const json = await cli("sessions", "export", "agent:main:telegram:group:-770900");
    expect(JSON.parse(json.stdout)).toMatchObject({
      format: "holdfast-session-export",
      session: { chatType: "group" },
    });
    const html = await cli("sessions", "export", "agent:main:telegram:direct:al", "--format", "html");
    expect(html.stdout).toContain("<!doctype html>");
    await sendAndWait(running.client, "agent:main:notes", "a note");
    const reply = await sendAndWait(running.client, "agent:main:notes", "/export-session");
    const file = /to (\S+\.html)/.exec(reply.text)?.[1] as string;
    expect(file.startsWith(path.join(stateDir, "exports"))).toBe(true);
    expect(await mode(file)).toBe(0o600);
  });

  it("exports everything about the person across DM, group and linked identity, with a manifest", async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-person-")), "out");
    const r = await cli("privacy", "export", "--sender", `telegram:${ALICE}`, "--out", dir, "--json");
    expect(r.code, r.stderr).toBe(0);
    const messages = await readFile(path.join(dir, "messages.json"), "utf8");
    for (const w of [CANARY_DM, CANARY_GROUP, `echo: group note ${CANARY_GROUP}`]) expect(messages).toContain(w);
    expect(messages).not.toContain(CANARY_BOB);
    const access = JSON.parse(await readFile(path.join(dir, "access.json"), "utf8")) as { access: unknown[] };
    expect(JSON.stringify(access)).toContain(String(ALICE_2)); // the linked account's pending request
    expect(JSON.stringify(access)).toContain("allowFrom.json");
    const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as {
      files: { path: string }[];
      identities: string[];
    };
    expect(manifest.identities.sort()).toEqual([`telegram:${ALICE}`, `telegram:${ALICE_2}`]);
    expect(manifest.files.some((f) => f.path.startsWith("media/"))).toBe(true);
    expect(await mode(path.join(dir, "messages.json"))).toBe(0o600);
    expect(await mode(dir)).toBe(0o700);
  });

  it("forget --dry-run changes nothing; forget leaves no trace of the person in any file of the state dir", async () => {
    const dry = await cli("privacy", "forget", "--sender", `telegram:${ALICE}`, "--dry-run", "--json");
    const planned = JSON.parse(dry.stdout) as PrivacyForgetReport;
    expect(planned.transcripts.map((t) => [t.key, t.whole]).sort()).toEqual([
      ["agent:main:telegram:direct:al", true],
      ["agent:main:telegram:group:-770900", false],
    ]);
    expect((await cli("sessions", "list", "--json")).stdout).toContain("direct:al");
    const r = await cli("privacy", "forget", "--sender", `telegram:${ALICE}`, "--json");
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as PrivacyForgetReport;
    expect(report.remaining, JSON.stringify(report.remaining)).toEqual([
      { file: configPath, found: expect.any(Array) },
    ]);
    const needles = [String(ALICE), String(ALICE_2), CANARY_DM, CANARY_GROUP, "direct:al"];
    for (const file of await walkFiles(stateDir)) {
      const text = (await readFile(file)).toString("latin1");
      for (const n of needles) expect(text.includes(n), `${n} in ${file}`).toBe(false);
    }
    const group = await cli("sessions", "show", "agent:main:telegram:group:-770900", "--json");
    expect(group.stdout).toContain(CANARY_BOB); // other people's messages stay
    expect((await cli("pairing", "list", "telegram", "--json")).stdout).not.toContain(String(ALICE_2));
  });

  it("sessions delete --purge leaves no archive", async () => {
    await sendAndWait(running.client, "agent:main:purgeme", "short lived");
    const r = await cli("sessions", "delete", "agent:main:purgeme", "--purge");
    expect(r.code, r.stderr).toBe(0);
    for (const file of await walkFiles(path.join(stateDir, "agents")))
      expect((await readFile(file, "utf8")).includes("short lived"), file).toBe(false);
  });
});
