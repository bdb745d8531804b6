import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/index.js";
import { maskSecret } from "./mask.js";
import { parseRedactPattern } from "./patterns.js";
import { Redactor } from "./redact.js";

const fixed = (...values: string[]) => {
  const list = [...values].sort((a, b) => b.length - a.length);
  return { values: () => list };
};

describe("maskSecret", () => {
  it("masks below 18 characters completely, else keeps 6 + … + 4", () => {
    expect(maskSecret("short-secret-17ch")).toBe("***");
    expect(maskSecret("sk-abcdefghijklmnopqrstuvwxyz")).toBe("sk-abc…wxyz");
  });
});

describe("Redactor: built-in detectors", () => {
  const r = new Redactor();
  it.each([
    ["OpenAI key", "key sk-proj-abcdefghijklmnop1234 end", "key sk-pro…1234 end"],
    ["Slack token", "xoxb-123456789012-abcdefghijkl", "xoxb-1…ijkl"],
    ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_ab…6789"],
    ["AWS key id", "id AKIAABCDEFGHIJKLMNOP here", "id AKIAAB…MNOP here"],
    ["Bearer", "Authorization: Bearer abc.def.ghijklmnopqrstu", "Authorization: Bearer abc.de…rstu"],
    ["short Bearer", "Bearer shorttoken1", "Bearer ***"],
    ["password=", "login password=hunter2 ok", "login password=*** ok"],
    ["JSON field", '{"apiKey":"abcdefghijklmnopqrstuvwxyz"}', '{"apiKey":"abcdef…wxyz"}'],
    ["env assignment", "OPENAI_API_KEY=plainvalue", "OPENAI_API_KEY=***"],
    ["CLI flag", "run --token abcdefghijklmnopqrstuvwxyz", "run --token abcdef…wxyz"],
    ["URL userinfo", "https://user:pa55word@host/x", "https://user:***@host/x"],
    ["Telegram bot token", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ", "123456…wXYZ"],
    ["Discord bot token", "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GhXyZw.abcdefghijklmnopqrstuvwxyz0", "MTEwMD…xyz0"],
  ])("%s", (_name, input, expected) => {
    expect(r.redact(input)).toBe(expected);
  });

  it.each([
    '{"apiKey":"${OPENAI_API_KEY}"}',
    'models: { providers: { openai: { apiKey: "${OPENAI_API_KEY}" } } }',
    "OPENAI_API_KEY=${OPENAI_API_KEY}",
    "run --token ${HOLDFAST_GATEWAY_TOKEN}",
    "password=${DB_PASSWORD}",
  ])("leaves a ${VAR} reference alone (it holds no secret): %s", (line) => {
    expect(r.redact(line)).toBe(line);
  });

  it("still masks a value that only starts or ends like a reference", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{12,40}$/), (v) => {
        for (const value of [`\${A}${v}`, `${v}\${A}`, `\${A}\${B}${v}`])
          expect(r.redact(`{"apiKey":"${value}"} password=${value} --token ${value}`)).not.toContain(v);
      }),
    );
  });

  it.each([
    ["braces inside", "password=hunter{2}x ok", "password=*** ok"],
    ["a lone closing brace", "password=ab}cd ok", "password=*** ok"],
    ["a lone opening brace", "token: pa{ss ok", "token: *** ok"],
    ["braces first", "password={abc}x ok", "password=*** ok"],
    ["the enclosing brace", "{password=hunter2}", "{password=***}"],
    ["an opened structure", 'credentials: { "user": "u" }', 'credentials: { "user": "u" }'],
  ])("masks a key=value secret holding braces whole: %s", (_name, input, expected) => {
    expect(r.redact(input)).toBe(expected);
  });

  it("never leaves a piece of a key=value secret that holds braces", () => {
    const piece = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/);
    const brace = fc.constantFrom("{", "}", "{}", "}{", "{{", "}}");
    fc.assert(
      fc.property(fc.record({ a: piece, b1: brace, m: piece, b2: brace, z: piece }), ({ a, b1, m, b2, z }) => {
        const value = `${a}${b1}${m}${b2}${z}`;
        for (const line of [`password=${value}`, `{token=${value}}`, `apiKey: ${value} next`, `secret=${value}&x=1`]) {
          const out = r.redact(line);
          for (const p of [a, m, z]) expect(out).not.toContain(p);
        }
      }),
    );
  });

  it("masks PEM private keys", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----";
    const out = r.redact(`key: ${pem} done`);
    expect(out).not.toContain("MIIEowIBAAKCAQEA");
    expect(out).toMatch(/done$/);
  });

  it("leaves ordinary log fields alone", () => {
    const line =
      '{"level":30,"auth":"token","inputTokens":10,"maxTokens":4096,"tokenFile":"/x","msg":"gateway listening"}';
    expect(r.redact(line)).toBe(line);
  });
});

describe("Redactor: configured secrets and patterns", () => {
  it("masks configured values in any case and in JSON- or URL-escaped form", () => {
    const secret = 'My"Secret/Value+1234567890';
    const r = new Redactor({ secrets: fixed(secret) });
    const out = r.redact(
      `a ${secret} b ${secret.toUpperCase()} c ${JSON.stringify(secret)} d ${encodeURIComponent(secret)}`,
    );
    expect(out.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  it("follows a live source: new values are masked after a change", () => {
    let list = ["first-secret-value"];
    const r = new Redactor({ secrets: { values: () => list } });
    expect(r.redact("first-secret-value")).toBe("***");
    list = ["second-secret-value"];
    expect(r.redact("second-secret-value x")).toBe("*** x");
  });

  it("adds logging.redactPatterns to the detectors", () => {
    const r = new Redactor({ patterns: ["secret-[a-z]+", "/internal-\\d+/i"] });
    expect(r.redact("x secret-abc INTERNAL-42 y")).toBe("x *** *** y");
  });

  it("keeps JSON log lines valid when a pattern is greedy", () => {
    const r = new Redactor({ patterns: ["password=.*"] });
    const line = `${JSON.stringify({ level: 30, msg: "got password=hunter2 from form", n: 1 })}\n`;
    const out = r.redactLine(line);
    expect(out.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(out) as { msg: string; n: number };
    expect(parsed.n).toBe(1);
    expect(parsed.msg).not.toContain("hunter2");
  });

  it("never lets a configured secret through, whatever surrounds it (property)", () => {
    const secretArb = fc.string({ minLength: 4, maxLength: 48 }).filter((s) => !s.includes("…"));
    fc.assert(
      fc.property(
        secretArb,
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.nat(3),
        (secret, a, b, reps) => {
          const r = new Redactor({ secrets: fixed(secret) });
          const text = a + secret.repeat(reps + 1) + b;
          expect(r.redact(text).toLowerCase()).not.toContain(secret.toLowerCase());
          expect(r.redactLine(JSON.stringify({ msg: text })).toLowerCase()).not.toContain(
            JSON.stringify(secret).slice(1, -1).toLowerCase(),
          );
        },
      ),
    );
  });

  it("masks a configured secret entirely, whatever its length: no character of it is kept (property)", () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9_-]{4,64}$/);
    fc.assert(
      fc.property(secretArb, fc.constantFrom(" ", "=", ": ", '"'), (secret, sep) => {
        const r = new Redactor({ secrets: fixed(secret) });
        expect(r.redact(`<<${sep}${secret}${sep}>>`)).toBe(`<<${sep}***${sep}>>`);
      }),
      { numRuns: 300 },
    );
  });

  it("is idempotent for the built-in detectors (property)", () => {
    const shapes = fc.constantFrom(
      "sk-proj-abcdefghijklmnopqrstu",
      "Bearer abcdefghij1234567890",
      "password=hunter22",
      "ghp_abcdefghijklmnopqrstuvwxyz",
      "token: abcdefghijklmnopqrstuvwxyz0",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 12 }), shapes), { maxLength: 8 }), (parts) => {
        const r = new Redactor();
        const once = r.redact(parts.join(" "));
        expect(r.redact(once)).toBe(once);
      }),
    );
  });
});

describe("parseRedactPattern", () => {
  it("makes a bad logging.redactPatterns entry a config error naming its path", () => {
    expect(() => validateConfig({ logging: { redactPatterns: ["ok-[0-9]+", "(a+)+$"] } })).toThrow(
      /logging\.redactPatterns\.1: redact pattern "\(a\+\)\+\$": the pattern risks catastrophic backtracking/,
    );
  });

  it("refuses invalid, unsafe, empty-matching and oddly flagged patterns", () => {
    expect(parseRedactPattern("(unclosed")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not a valid regular expression"),
    });
    expect(parseRedactPattern("(a+)+$")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("catastrophic backtracking"),
    });
    expect(parseRedactPattern("x*")).toMatchObject({ ok: false, reason: expect.stringContaining("empty string") });
    expect(parseRedactPattern("/abc/y")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("unsupported flags"),
    });
    expect(parseRedactPattern("/abc/i")).toMatchObject({ ok: true });
  });
});
