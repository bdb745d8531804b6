/**
 * Encryption-at-rest benchmark: what sealing adds to one transcript append (the transcript log seals
 * each appended line as one AES-256-GCM record through `appendCodec`), for a typical message line.
 * Prints the cost per line and the size overhead; asserts nothing. npx tsx bench/encryption-append.ts
 */
import { randomBytes } from "node:crypto";
import { appendCodec, installStateCipher, keyId } from "../src/infra/index.js";

const LINES = 20_000;
const key = randomBytes(32);
const id = keyId(key, "bench");
const line = `${JSON.stringify({
  type: "message",
  message: { role: "assistant", content: "x".repeat(400), timestamp: Date.now() },
})}\n`;

function perLine(encode: (l: string) => string): { us: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < 1000; i++) encode(line); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) bytes += Buffer.byteLength(encode(line));
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / LINES, bytes: bytes / LINES };
}

installStateCipher(undefined);
const plain = perLine(appendCodec("/bench/t.jsonl", undefined).codec.encode);
installStateCipher({ ring: { current: { id, key }, byId: new Map([[id, key]]) }, seal: true, inScope: () => true });
const sealed = perLine(appendCodec("/bench/t.jsonl", undefined).codec.encode);
installStateCipher(undefined);

console.log(`encryption at rest, per transcript append (${LINES} lines of ${Buffer.byteLength(line)} bytes):`);
console.log(`  plaintext: ${plain.us.toFixed(2)} µs, ${plain.bytes} bytes`);
console.log(`  sealed:    ${sealed.us.toFixed(2)} µs, ${sealed.bytes} bytes`);
console.log(
  `  added:     ${(sealed.us - plain.us).toFixed(2)} µs per append, +${Math.round((sealed.bytes / plain.bytes - 1) * 100)}% bytes (the write and fsync are unchanged)`,
);
