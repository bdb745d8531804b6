import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditFindings, auditIds } from "./test-context.fixture.js";

const CHANNELS = ["telegram", "whatsapp", "discord", "slack", "signal", "imessage", "bluebubbles"] as const;

describe("inbound access checks", () => {
  it("flags open DMs, wildcard allowlists and open groups that answer without a mention", async () => {
    const ids = await auditIds({
      channels: {
        telegram: {
          dmPolicy: "open",
          allowFrom: ["*"],
          groupPolicy: "open",
          groups: { "*": { requireMention: false } },
        },
        whatsapp: { dmPolicy: "pairing", allowFrom: ["*"], groupAllowFrom: ["*"] },
      },
    });
    expect(ids).toEqual(
      expect.arrayContaining([
        "channels.telegram.dm.open:critical",
        "channels.telegram.groups.open:warn",
        "channels.telegram.groups.open_without_mention:critical",
        "channels.whatsapp.allowFrom.wildcard:critical",
        "channels.whatsapp.groups.allowFrom.wildcard:critical",
        "security.trust_model.multi_user_heuristic:warn",
      ]),
    );
    expect(ids).not.toContain("channels.telegram.dm.open_invalid:warn");
  });

  it("flags several DM senders sharing the main session, and group chats merged into it", async () => {
    const ids = await auditIds({
      session: { dmScope: "main", groupScope: "main" },
      channels: { signal: { dmPolicy: "allowlist", allowFrom: ["+15550001", "+15550002"] } },
    });
    expect(ids).toEqual(
      expect.arrayContaining([
        "channels.signal.dm.scope_main_multiuser:warn",
        "security.trust_model.group_scope_main:warn",
      ]),
    );
    expect(
      await auditIds({ channels: { signal: { dmPolicy: "allowlist", allowFrom: ["+15550001", "+15550002"] } } }),
    ).not.toContain("channels.signal.dm.scope_main_multiuser:warn");
  });

  it("reports an open DM policy as critical on any channel and account (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CHANNELS),
        fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { nil: undefined }),
        async (ch, account) => {
          const block = account
            ? { accounts: { [account]: { dmPolicy: "open", allowFrom: ["*"] } } }
            : { dmPolicy: "open", allowFrom: ["*"] };
          expect(await auditIds({ channels: { [ch]: block } })).toContain(`channels.${ch}.dm.open:critical`);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("tool blast radius checks", () => {
  it("flags wildcard elevated allowlists (unless elevated is disabled) and large ones", async () => {
    const many = Array.from({ length: 30 }, (_, i) => String(1000 + i));
    expect(await auditIds({ tools: { elevated: { allowFrom: { telegram: ["*"], discord: many } } } })).toEqual(
      expect.arrayContaining([
        "tools.elevated.allowFrom.telegram.wildcard:critical",
        "tools.elevated.allowFrom.discord.large:warn",
      ]),
    );
    expect(
      (await auditIds({ tools: { elevated: { enabled: false, allowFrom: { telegram: ["*"] } } } })).some((i) =>
        i.startsWith("tools.elevated"),
      ),
    ).toBe(false);
  });

  it("rates exec security full critical only when a channel is open", async () => {
    expect(await auditIds({ tools: { exec: { security: "full", ask: "off" } } })).toContain(
      "tools.exec.security_full_configured:warn",
    );
    const open = await auditIds({
      tools: { exec: { security: "full" } },
      channels: { discord: { groupPolicy: "open" } },
    });
    expect(open).toEqual(
      expect.arrayContaining([
        "tools.exec.security_full_configured:critical",
        "security.exposure.open_channels_with_exec:critical",
      ]),
    );
  });

  it("is critical when strangers' sessions run exec on the host, fine when the sandbox holds", async () => {
    const openDmMain = { session: { dmScope: "main" }, channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } };
    expect(await auditIds(openDmMain)).toContain("security.exposure.open_groups_with_runtime_or_fs:critical");
    expect(await auditIds({ ...openDmMain, session: { dmScope: "per-channel-peer" } })).not.toContain(
      "security.exposure.open_groups_with_runtime_or_fs:critical",
    );
    expect(await auditIds({ ...openDmMain, tools: { deny: ["group:runtime"] } })).not.toContain(
      "security.exposure.open_groups_with_runtime_or_fs:critical",
    );
    expect(
      await auditIds({
        agents: { defaults: { sandbox: { mode: "off" } } },
        channels: { telegram: { groupPolicy: "open" } },
      }),
    ).toEqual(
      expect.arrayContaining([
        "sandbox.mode_off:critical",
        "security.exposure.open_groups_with_runtime_or_fs:critical",
      ]),
    );
  });

  it("flags dangerous sandbox settings and weakened switches", async () => {
    const ids = await auditIds({
      tools: { fs: { workspaceOnly: false }, web: { fetch: { allowPrivateNetwork: true } } },
      agents: {
        defaults: {
          sandbox: {
            docker: {
              network: "host",
              seccompProfile: "unconfined",
              binds: ["/var/run/docker.sock:/var/run/docker.sock", "data:/data"],
            },
          },
        },
      },
    });
    expect(ids).toEqual(
      expect.arrayContaining([
        "sandbox.dangerous_network_mode:critical",
        "sandbox.dangerous_seccomp_profile:critical",
        "sandbox.dangerous_bind_mount:critical",
        "sandbox.bind_mount_non_absolute:warn",
        "config.insecure_or_dangerous_flags:warn",
        "tools.web_fetch.private_network:warn",
      ]),
    );
  });
});

describe("network exposure checks", () => {
  it("rates every non-loopback bind without a secret critical (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom({ bind: "lan" }, { bind: "tailnet" }, { bind: "custom", customBindHost: "192.168.1.5" }),
        fc.constantFrom({ mode: "none" }, {}),
        async (bind, auth) => {
          expect(await auditIds({ gateway: { ...bind, auth } })).toContain("gateway.bind_no_auth:critical");
        },
      ),
      { numRuns: 12 },
    );
  });

  it("flags short and placeholder credentials without echoing them", async () => {
    const findings = await auditFindings({ gateway: { auth: { token: "abc123-short" } } });
    expect(findings.map((f) => `${f.checkId}:${f.severity}`)).toContain("gateway.token_too_short:warn");
    expect(JSON.stringify(findings)).not.toContain("abc123-short");
    expect(await auditIds({ gateway: { auth: { mode: "password", password: "undefined" } } })).toContain(
      "gateway.password_placeholder_value:critical",
    );
  });

  it("covers Funnel, proxies, TLS, rate limits, origins and mDNS", async () => {
    expect(await auditIds({ gateway: { tailscale: { mode: "funnel" }, auth: { token: "t".repeat(40) } } })).toEqual(
      expect.arrayContaining([
        "gateway.tailscale_funnel:critical",
        "gateway.tailscale_funnel_no_password:critical",
        "gateway.trusted_proxies_missing:warn",
      ]),
    );
    expect(await auditIds({ gateway: { auth: { mode: "trusted-proxy" } } })).toEqual(
      expect.arrayContaining([
        "gateway.trusted_proxy_auth:critical",
        "gateway.trusted_proxy_no_proxies:critical",
        "gateway.trusted_proxy_no_user_header:critical",
      ]),
    );
    const lan = await auditIds({
      gateway: {
        bind: "lan",
        auth: { token: "t".repeat(40) },
        controlUi: { allowedOrigins: ["*"] },
        allowRealIpFallback: true,
      },
      discovery: { mdns: { mode: "full" } },
    });
    expect(lan).toEqual(
      expect.arrayContaining([
        "gateway.remote_bind_no_tls:critical",
        "gateway.auth_no_rate_limit:warn",
        "gateway.control_ui.allowed_origins_wildcard:critical",
        "gateway.real_ip_fallback_enabled:critical",
        "discovery.mdns_full_mode:critical",
      ]),
    );
    const tls = await auditIds({
      gateway: {
        bind: "lan",
        tls: { enabled: true },
        auth: { token: "t".repeat(40), rateLimit: { maxAttempts: 5 } },
        controlUi: { allowedOrigins: ["https://gw.example"] },
      },
    });
    expect(tls.filter((i) => /remote_bind_no_tls|auth_no_rate_limit|allowed_origins_required/.test(i))).toEqual([]);
    expect(await auditIds({ discovery: { mdns: { mode: "full" } } })).toContain("discovery.mdns_full_mode:warn");
  });

  it("checks webhook settings only when hooks are enabled", async () => {
    const token = "same-token-0123456789abcdef012345";
    const ids = await auditIds({
      gateway: { auth: { token } },
      hooks: { enabled: true, token, path: "/", allowRequestSessionKey: true },
    });
    expect(ids).toEqual(
      expect.arrayContaining([
        "hooks.token_reuse_gateway_token:critical",
        "hooks.path_root:critical",
        "hooks.request_session_key_enabled:warn",
        "hooks.allowed_agent_ids_unrestricted:warn",
        "hooks.default_session_key_unset:warn",
      ]),
    );
    expect(
      (await auditIds({ hooks: { enabled: false, token: "x", path: "/" } })).some((i) => i.startsWith("hooks.")),
    ).toBe(false);
  });

  it("checks Gmail push settings: refused ones, no subscription, a fixed access token", async () => {
    const hooks = { enabled: true, token: "hooks-token-0123456789abcdef0123" };
    const base = {
      enabled: true,
      audience: "https://gw.example/hooks/gmail",
      serviceAccountEmail: "p@x.iam.gserviceaccount.com",
    };
    const gmailIds = async (gmail: Record<string, unknown>) =>
      (await auditIds({ hooks: { ...hooks, gmail } })).filter((i) => i.startsWith("hooks.gmail."));
    expect(await gmailIds({ ...base })).toEqual(["hooks.gmail.config_invalid:critical"]);
    expect(await gmailIds({ ...base, accessToken: "ya29.x", jwksUrl: "http://keys.example/certs" })).toEqual([
      "hooks.gmail.config_invalid:critical",
    ]);
    expect((await gmailIds({ ...base, accessToken: "ya29.x" })).sort()).toEqual([
      "hooks.gmail.access_token_static:info",
      "hooks.gmail.subscription_unset:warn",
    ]);
    const oauth = { clientId: "c.apps.googleusercontent.com", clientSecret: "s", refreshToken: "r" };
    expect(await gmailIds({ ...base, oauth, subscription: "projects/p/subscriptions/s" })).toEqual([]);
    expect(await gmailIds({ ...base, enabled: false })).toEqual([]);
  });
});

describe("model choice", () => {
  it("warns about legacy and weak models for tool-enabled agents, not for tool-less ones", async () => {
    const ids = await auditIds({
      agents: {
        defaults: {
          model: { primary: "openai/gpt-3.5-turbo", fallbacks: ["anthropic/claude-3-5-haiku", "ollama/llama3.1:8b"] },
        },
      },
    });
    expect(ids).toEqual(
      expect.arrayContaining(["models.legacy:warn", "models.weak_tier:warn", "models.small_params:critical"]),
    );
    expect(await auditIds({ agents: { defaults: { model: "anthropic/claude-opus-4-6" } } })).not.toContain(
      "models.weak_tier:warn",
    );
    expect(
      (await auditIds({ tools: { profile: "minimal" }, agents: { defaults: { model: "openai/gpt-3.5-turbo" } } })).some(
        (i) => i.startsWith("models."),
      ),
    ).toBe(false);
  });
});

describe("suppressions", () => {
  it("moves matching findings aside and says so", async () => {
    const ids = await auditIds({
      discovery: { mdns: { mode: "full" } },
      security: { audit: { suppressions: [{ checkId: "discovery.mdns_full_mode", reason: "lab" }] } },
    });
    expect(ids).not.toContain("discovery.mdns_full_mode:warn");
    expect(ids).toEqual(
      expect.arrayContaining(["security.audit.suppressions.active:info", "config.insecure_or_dangerous_flags:warn"]),
    );
  });
});

describe("Slack and Discord checks (OpenClaw checkIds where OpenClaw has one)", () => {
  it("flags open DMs and groups, missing signing secrets, plaintext tokens, inert names, broad guilds, privileged intents", async () => {
    const findings = await auditFindings({
      channels: {
        slack: {
          dmPolicy: "open",
          allowFrom: ["*"],
          mode: "http",
          botToken: "xoxb-plaintext-token-in-config",
          groupPolicy: "open",
          channels: { "*": { requireMention: false } },
        },
        discord: {
          token: "plain-discord-token-in-the-config",
          allowFrom: ["trusted-user-id", "123456789012345678"],
          groupPolicy: "open",
          guilds: { "130000000000000001": { channels: { "140000000000000001": {} } } },
          intents: { presence: true },
        },
      },
    });
    const ids = findings.map((f) => `${f.checkId}:${f.severity}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        "channels.slack.dm.open:critical",
        "channels.slack.groups.open:warn",
        "channels.slack.groups.open_without_mention:critical",
        "channels.slack.http.signing_secret_missing:critical",
        "channels.discord.groups.open:warn",
        "channels.discord.allowFrom.mutable_entries_inert:warn",
        "channels.discord.allowlisted_groups.broad_members:warn",
        "channels.discord.intents.privileged:warn",
      ]),
    );
    const plaintext = findings.filter((f) => f.checkId === "secrets.plaintext_in_config").map((f) => f.title);
    expect(plaintext).toEqual(
      expect.arrayContaining([
        "Secret stored in the config file: channels.slack.botToken",
        "Secret stored in the config file: channels.discord.token",
      ]),
    );
    expect(JSON.stringify(findings)).not.toContain("plaintext-token-in-config");
    expect(findings.find((f) => f.checkId.endsWith("mutable_entries_inert"))?.detail).toContain("trusted-user-id");
  });

  it("reports name matching when enabled (and then not the names as inert); quiet for a locked-down account", async () => {
    const on = await auditIds({ channels: { slack: { allowFrom: ["@ada"], dangerouslyAllowNameMatching: true } } });
    expect(on).toContain("channels.slack.allowFrom.dangerous_name_matching_enabled:info");
    expect(on).not.toContain("channels.slack.allowFrom.mutable_entries_inert:warn");
    const locked = await auditIds(
      {
        channels: {
          slack: { allowFrom: ["U0ADA0001"], appToken: "${SLACK_APP_TOKEN}", botToken: "${SLACK_BOT_TOKEN}" },
          discord: { allowFrom: ["123456789012345678"], guilds: { "1300000": { users: ["123456789012345678"] } } },
        },
      },
      { env: { SLACK_APP_TOKEN: "xapp-1", SLACK_BOT_TOKEN: "xoxb-1" } },
    );
    expect(locked.filter((id) => /^channels\.(slack|discord)\./.test(id))).toEqual([]);
  });
});

describe("jail checks", () => {
  const good = {
    hostJail: { ok: true as const },
    defaultBackend: "bubblewrap" as const,
    sessionCgroups: { ok: true as const, controllers: ["memory", "pids", "cpu"] as ("memory" | "pids" | "cpu")[] },
  };
  const noCgroups = { ...good, sessionCgroups: { ok: false as const, reason: "no cgroup file system is mounted" } };

  it("reports the host jail turned off as critical while file or command tools are reachable", async () => {
    expect(await auditIds({ tools: { exec: { hostJail: "off" } } })).toContain("tools.exec.host_jail_off:critical");
    expect(await auditIds({ tools: { exec: { hostJail: "off" }, profile: "minimal" } })).toContain(
      "tools.exec.host_jail_off:warn",
    );
    expect((await auditIds({})).some((i) => i.startsWith("tools.exec.host_jail_off"))).toBe(false);
  });

  it("says what to install when the host jail cannot run, and nothing when it can", async () => {
    const machine = {
      ...good,
      hostJail: {
        ok: false as const,
        reason: "bwrap is not installed (install bubblewrap: sudo apt-get install bubblewrap)",
      },
    };
    const f = (await auditFindings({}, { machine })).find((x) => x.checkId === "sandbox.host_jail_unavailable");
    expect(f).toMatchObject({ severity: "warn", detail: expect.stringContaining("apt-get install bubblewrap") });
    expect(await auditIds({}, { machine: good })).not.toContain("sandbox.host_jail_unavailable:warn");
  });

  it("reports limits that hold per process only (warn), and configured ones the gateway refuses (critical)", async () => {
    expect(await auditIds({}, { machine: noCgroups })).toContain("sandbox.limits_not_enforceable:warn");
    const refused = await auditFindings(
      { agents: { defaults: { sandbox: { limits: { memoryMb: 100 } } } } },
      { machine: noCgroups },
    );
    expect(refused.find((x) => x.checkId === "sandbox.limits_not_enforceable")).toMatchObject({
      severity: "critical",
      detail: expect.stringContaining("agents.defaults.sandbox.limits.memoryMb"),
    });
    expect((await auditIds({}, { machine: good })).some((i) => i.startsWith("sandbox.limits_not"))).toBe(false);
  });
});
