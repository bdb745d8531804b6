import { isHoldfastError } from "../errors/index.js";
import { cliHint, readFileIfExists } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { parseJsonl, storageError } from "../store/index.js";
import type { ChatMessage } from "./types.js";

/** The first line of a transcript file. */
export type TranscriptHeader = Extract<TranscriptLine, { type: "session" }>;

/** One line of a transcript file. */
export type TranscriptLine =
  | {
      readonly type: "session";
      readonly version: 3;
      readonly id: string;
      /** ISO 8601. */
      readonly timestamp: string;
      /** Session key and origin, so the index can be rebuilt from transcripts alone. */
      readonly key?: string;
      readonly agentId?: string;
      readonly channel?: string;
      readonly chatType?: "direct" | "group";
      readonly displayName?: string;
    }
  | { readonly type: "message"; readonly message: ChatMessage };

/**
 * Reads the messages of a transcript (oldest first). A missing file is empty. Lines that do not parse
 * (a torn last line before repair, a garbled line) are skipped and logged once per file with their
 * line numbers; `holdfast doctor` lists them too.
 * @throws HoldfastError HF_STATE_* when the file exists but cannot be read
 */
export class TranscriptReader {
  private readonly warned = new Set<string>();

  constructor(private readonly log: Logger) {}

  async read(file: string): Promise<ChatMessage[]> {
    let text: string | undefined;
    try {
      text = await readFileIfExists(file);
    } catch (err) {
      if (isHoldfastError(err) && err.code.startsWith("HF_ENCRYPTION_")) throw err;
      throw storageError("transcripts", `reading ${file}`, (err as Error).cause ?? err);
    }
    if (text === undefined) return [];
    const { entries, badLines } = parseJsonl(text);
    if (badLines.length > 0 && !this.warned.has(file)) {
      this.warned.add(file);
      this.log.warn(
        { file, badLines: badLines.slice(0, 20), count: badLines.length },
        `transcript has lines that are not JSON; they are skipped (${cliHint("doctor")} lists them)`,
      );
    }
    const out: ChatMessage[] = [];
    for (const e of entries) {
      const line = e as Partial<{ type: string; message: ChatMessage }> | null;
      if (line?.type === "message" && line.message && typeof line.message === "object") out.push(line.message);
    }
    return out;
  }
}
