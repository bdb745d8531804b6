import { FakeTelegram, type FakeBot } from "./fake-telegram.js";
import { makeStateDir, mockModelConfig, nodeFlagsWrap, spawnGateway, type GatewayProcess } from "./gateway-process.js";
import { startMockModelServer, type MockModelServer } from "./mock-model-server.js";

/** A real gateway process polling a fake Bot API for one bot, answering with the mock model. */
export interface TelegramGateway {
  readonly mock: MockModelServer;
  readonly fake: FakeTelegram;
  readonly stateDir: string;
  readonly gw: GatewayProcess;
  /** Stops the gateway, then the fakes. */
  close(): Promise<void>;
}

/**
 * Starts the mock model, the fake Bot API and a gateway whose default Telegram account (token from
 * `TELEGRAM_BOT_TOKEN`) long-polls it every second with `telegram` settings on top; `config` adds
 * to (and may override) the mock model's config. Resolves once the bot polls.
 */
export async function startTelegramGateway(
  bot: FakeBot,
  opts: {
    telegram?: Record<string, unknown>;
    config?: (model: Record<string, unknown>) => Record<string, unknown>;
    /** `bin/holdfast.mjs` of another build (default: this one). */
    bin?: string;
    /** Node flags for the gateway process that NODE_OPTIONS refuses (`--cpu-prof`), for benchmarks. */
    nodeFlags?: readonly string[];
  } = {},
): Promise<TelegramGateway> {
  const mock = await startMockModelServer();
  const fake = await FakeTelegram.start([bot]);
  const model = mockModelConfig(mock.url);
  const stateDir = await makeStateDir({
    ...model,
    ...(opts.config?.(model) ?? {}),
    channels: { telegram: { apiRoot: fake.url, pollingTimeoutSec: 1, ...opts.telegram } },
  });
  const wrap = nodeFlagsWrap(opts.nodeFlags);
  const gw = await spawnGateway(stateDir, {
    env: { TELEGRAM_BOT_TOKEN: bot.token },
    ...(opts.bin ? { bin: opts.bin } : {}),
    ...(wrap ? { wrap } : {}),
  });
  await fake.waitForPoll(bot.token);
  return {
    mock,
    fake,
    stateDir,
    gw,
    close: async () => {
      await gw.stop();
      await fake.close();
      await mock.close();
    },
  };
}
