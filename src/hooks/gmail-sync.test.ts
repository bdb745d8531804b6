import { mkdtempSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { FakeGmail } from "../../test/support/fake-gmail.js";
import { GmailTokenSource, HttpGmailApi } from "./gmail-api.js";
import type { MailItem } from "./gmail-mail.js";
import { GmailSync } from "./gmail-sync.js";

describe("Gmail sync against a fake Gmail API on 127.0.0.1", () => {
  let gmail: FakeGmail;
  let dir: string;
  let secrets: Record<string, string>;

  beforeEach(async () => {
    gmail = await new FakeGmail().start();
    dir = mkdtempSync(path.join(os.tmpdir(), "hf-gmail-"));
    secrets = {
      "hooks.gmail.oauth.clientSecret": gmail.oauth.clientSecret,
      "hooks.gmail.oauth.refreshToken": gmail.oauth.refreshToken,
    };
  });
  afterEach(() => gmail.close());

  function setup(backoffBaseMs = 40) {
    const creds = { kind: "oauth", clientId: gmail.oauth.clientId, tokenUrl: `${gmail.url}/token` } as const;
    const tokens = new GmailTokenSource(creds, (p) => secrets[p], Date.now);
    const delivered: { mailbox: string; mail: MailItem }[] = [];
    const cap = captureLogger();
    const cursorFile = path.join(dir, "hooks", "gmail-history.json");
    const sync = new GmailSync({
      api: new HttpGmailApi(gmail.url, tokens),
      cursorFile,
      deliver: (mailbox, mail) => delivered.push({ mailbox, mail }),
      maxBodyChars: 40,
      log: cap.log,
      backoffBaseMs,
    });
    const push = (historyId: string) => sync.notify({ emailAddress: "Owner@Example.com", historyId });
    return { sync, delivered, cap, cursorFile, push };
  }

  it("fetches only the announced mail on a first push, then what came after the stored history id", async () => {
    gmail.addMail({ from: "old@example.com", subject: "old", body: "already there before the watch" });
    const { delivered, cursorFile, push } = setup();
    const first = gmail.addMail({ from: "Ann <ann@example.com>", subject: "Lunch", body: "Lunch at noon?\r\nAnn" });
    push(first.historyId);
    await expect.poll(() => delivered.length).toBe(1);
    expect(delivered[0]).toEqual({
      mailbox: "owner@example.com",
      mail: {
        id: first.id,
        from: "Ann <ann@example.com>",
        subject: "Lunch",
        body: "Lunch at noon?\nAnn",
        truncated: false,
      },
    });
    await expect.poll(async () => readFile(cursorFile, "utf8").catch(() => "")).toContain(gmail.currentHistoryId);
    expect(statSync(cursorFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(cursorFile)).mode & 0o777).toBe(0o700);
    const second = gmail.addMail({ from: "bob@example.com", subject: "x", body: "b".repeat(100), labelIds: ["INBOX"] });
    gmail.addMail({ from: "me@example.com", subject: "sent", body: "mine", labelIds: ["SENT"] });
    push(second.historyId);
    await expect.poll(() => delivered.length).toBe(2);
    expect(delivered[1]?.mail).toMatchObject({ id: second.id, body: "b".repeat(40), truncated: true });
    const history = gmail.calls("history");
    expect(history[0]?.query.startHistoryId).toBe(String(BigInt(first.historyId) - 1n));
    expect(history[1]?.query).toMatchObject({
      startHistoryId: first.historyId,
      historyTypes: "messageAdded",
      labelId: "INBOX",
    });
    expect(gmail.calls("token")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered).toHaveLength(2);
  });

  it("backs off after an API failure (one warning), does not call the API meanwhile, then fetches the mail", async () => {
    const { delivered, cap, push } = setup(300);
    gmail.failNext(1, 503);
    const m = gmail.addMail({ from: "c@example.com", subject: "s", body: "hello" });
    push(m.historyId);
    await expect
      .poll(() => cap.lines.some((l) => l.msg === "Gmail API failing; new mail is fetched again after a backoff"))
      .toBe(true);
    const callsAfterFailure = gmail.calls("history").length;
    push(m.historyId);
    push(String(BigInt(m.historyId) + 1n));
    expect(gmail.calls("history").length).toBe(callsAfterFailure);
    await expect.poll(() => delivered.length, { timeout: 3_000 }).toBe(1);
    expect(
      cap.lines.filter((l) => l.msg === "Gmail API failing; new mail is fetched again after a backoff"),
    ).toHaveLength(1);
    expect(cap.lines.some((l) => l.msg === "Gmail API reachable again")).toBe(true);
    expect(cap.text()).not.toContain(gmail.accessToken);
    expect(cap.text()).not.toContain(gmail.oauth.refreshToken);
  });

  it("keeps failing with growing waits while the token endpoint refuses the refresh token", async () => {
    secrets["hooks.gmail.oauth.refreshToken"] = "1//revoked";
    const { sync, delivered, push } = setup(30);
    push(gmail.addMail({ from: "d@example.com", subject: "s", body: "x" }).historyId);
    await expect.poll(() => sync.status()[0]?.failures ?? 0, { timeout: 3_000 }).toBeGreaterThanOrEqual(3);
    expect(sync.status()[0]?.lastError).toContain("HTTP 400");
    expect(gmail.calls("history")).toHaveLength(0);
    const tokenCalls = gmail.calls("token").length;
    expect(tokenCalls).toBeLessThan(8);
    sync.stop();
    expect(delivered).toHaveLength(0);
  });

  it("skips to the push's history id when Gmail no longer has the stored one (404)", async () => {
    const { delivered, cap, push } = setup();
    const a = gmail.addMail({ from: "e@example.com", subject: "a", body: "a" });
    push(a.historyId);
    await expect.poll(() => delivered.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    gmail.oldestHistoryId = BigInt(gmail.currentHistoryId) + 100n;
    const b = gmail.addMail({ from: "f@example.com", subject: "b", body: "b" });
    push(b.historyId);
    await expect
      .poll(() => cap.lines.some((l) => l.msg === "Gmail no longer has this history; older mail skipped"))
      .toBe(true);
    expect(delivered).toHaveLength(1);
  });
});
