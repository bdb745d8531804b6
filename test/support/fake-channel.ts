import path from "node:path";
import { createAccessStage } from "../../src/access/index.js";
import type { RunEvent, StartRunInput } from "../../src/agent/index.js";
import type {
  AccountSettings,
  AdapterStatus,
  ChannelAdapter,
  ChannelServiceDeps,
  InboundMessage,
  InboundSink,
  MediaRef,
  OutboundMessage,
} from "../../src/channels/index.js";
import { builtinCommands, ChatCommandRegistry } from "../../src/commands/index.js";
import type { HoldfastConfig } from "../../src/config/index.js";
import { HoldfastError } from "../../src/errors/index.js";
import { systemClock } from "../../src/infra/index.js";
import { channelState } from "./temp-state.js";
import type { Logger } from "../../src/logging/index.js";
import { Router } from "../../src/routing/index.js";
import { InboundMedia } from "../../src/sandbox/index.js";

/** An in-memory channel adapter: `deliver` plays the platform, `sent` records outbound messages. */
export class MemoryAdapter implements ChannelAdapter {
  readonly sent: OutboundMessage[] = [];
  readonly files = new Map<string, Buffer>();
  readonly fetched: string[] = [];
  private sink: InboundSink | undefined;
  private seq = 1;

  constructor(
    readonly channel = "telegram",
    readonly accountId = "default",
    readonly textLimit = 4096,
  ) {}

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.sink = undefined;
  }
  async send(msg: OutboundMessage): Promise<string[]> {
    this.sent.push(msg);
    return [String(this.seq++)];
  }
  async fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    this.fetched.push(ref.fileId);
    const bytes = this.files.get(ref.fileId);
    if (!bytes) throw new HoldfastError("HF_CHANNEL_MEDIA", "no such file");
    if (bytes.length > maxBytes) throw new HoldfastError("HF_CHANNEL_MEDIA", "too large", { tooLarge: true });
    return { bytes, extension: "txt" };
  }
  status(): AdapterStatus {
    return { state: this.sink ? "running" : "stopped" };
  }

  /** Delivers a message as the platform would (awaits admission). */
  async deliver(over: Partial<InboundMessage> & { senderId: string }): Promise<InboundMessage> {
    if (!this.sink) throw new Error("adapter not started");
    const id = String(this.seq++);
    const msg: InboundMessage = {
      channel: this.channel,
      accountId: this.accountId,
      chatType: "direct",
      chatId: over.senderId,
      text: "hello",
      mentionsBot: false,
      hasAnyMention: false,
      replyToBot: false,
      media: [],
      messageId: id,
      receivedAt: Date.now(),
      ...over,
    };
    await this.sink(msg);
    return msg;
  }
}

/** A run manager stand-in: records starts and answers `echo: <message>` at once. */
export class EchoRuns {
  readonly started: StartRunInput[] = [];
  start(input: StartRunInput) {
    this.started.push(input);
    const ev: RunEvent = {
      runId: `run-${this.started.length}`,
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      seq: 1,
      event: { type: "final", text: `echo: ${input.message}`, stopReason: "stop" },
    };
    const done = Promise.resolve().then(() => input.onEvent?.(ev));
    return { runId: ev.runId, status: "started" as const, deduped: false, done };
  }
}

/** The built-in chat commands with recording stand-ins. */
export function testCommands(): { registry: ChatCommandRegistry; resets: string[] } {
  const registry = new ChatCommandRegistry();
  const resets: string[] = [];
  registry.register(
    ...builtinCommands(
      { resetSession: async (k) => void resets.push(k), describeSession: async (k, a) => `Session ${k} · agent ${a}` },
      registry,
    ),
  );
  return { registry, resets };
}

/**
 * Channel-stage dependencies for one in-memory account: access control and routing built from
 * `config` (stores under `<dir>/credentials`), agent `main` with the mention pattern `holdfast`, and
 * the workspace `<dir>/workspace`.
 */
export function memoryChannelDeps(opts: {
  readonly dir: string;
  readonly config: HoldfastConfig;
  readonly log: Logger;
  readonly runs: EchoRuns;
  readonly commands: ChatCommandRegistry;
  readonly adapter: MemoryAdapter;
  readonly settings: AccountSettings;
  readonly guardOutbound?: (text: string) => string;
}): ChannelServiceDeps {
  const { dir, config, log } = opts;
  return {
    config,
    secrets: { get: () => undefined },
    env: {},
    stateDir: dir,
    state: channelState(dir).state,
    log,
    clock: systemClock,
    access: createAccessStage({ config, credentialsDir: path.join(dir, "credentials"), clock: systemClock, log }),
    router: new Router(config, ["main"]),
    runs: opts.runs,
    commands: opts.commands,
    agent: () => ({ id: "main", groupChat: { mentionPatterns: ["\\bholdfast\\b"] } }),
    saveMedia: async (target, bytes, ext) =>
      (await new InboundMedia(path.join(dir, "media")).save(target, bytes, ext)).jailPath,
    extraAdapters: [{ adapter: opts.adapter, settings: opts.settings }],
    ...(opts.guardOutbound ? { guardOutbound: opts.guardOutbound } : {}),
  };
}
