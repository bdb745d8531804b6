import { describe, expect, it } from "vitest";
import { envFileText, launchdPlist, systemdUnit, type ServiceSpec } from "./unit-files.js";

const spec: ServiceSpec = {
  name: "ai.holdfast.gateway.abcd1234",
  nodePath: "/usr/local/bin/node",
  binPath: "/Users/me/My Apps/holdfast/bin/holdfast.mjs",
  stateDir: "/Users/me/.holdfast & co",
  envFile: "/Users/me/.holdfast & co/gateway.env",
  outputFile: "/Users/me/.holdfast & co/logs/service.log",
};

describe("service definitions", () => {
  it("launchd agent: node reads the env file, restarts after failures only, private umask, output in the state dir", () => {
    const plist = launchdPlist(spec);
    expect(plist).toContain("<key>Label</key><string>ai.holdfast.gateway.abcd1234</string>");
    expect(plist).toContain(
      [
        "  <array>",
        "    <string>/usr/local/bin/node</string>",
        "    <string>--env-file=/Users/me/.holdfast &amp; co/gateway.env</string>",
        "    <string>/Users/me/My Apps/holdfast/bin/holdfast.mjs</string>",
        "    <string>gateway</string>",
        "  </array>",
      ].join("\n"),
    );
    expect(plist).toContain("<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>");
    expect(plist).toContain("<key>Umask</key><integer>63</integer>"); // 0077
    expect(plist).toContain(
      "<key>StandardErrorPath</key><string>/Users/me/.holdfast &amp; co/logs/service.log</string>",
    );
    expect(plist).not.toMatch(/& co/);
  });

  it("systemd user unit: quoted ExecStart, the env file, no restart after a config refusal (78)", () => {
    const unit = systemdUnit({ ...spec, name: "holdfast-gateway-abcd1234" });
    expect(unit).toContain('ExecStart=/usr/local/bin/node "/Users/me/My Apps/holdfast/bin/holdfast.mjs" gateway');
    expect(unit).toContain("EnvironmentFile=/Users/me/.holdfast & co/gateway.env");
    expect(unit).toMatch(/Restart=on-failure\nRestartSec=5\nRestartPreventExitStatus=78\nUMask=0077/);
  });

  it("env file: plain values bare, others single-quoted; refuses what neither reader can carry", () => {
    expect(envFileText({ A: "x/y:z", B: "has space $HOME" })).toContain("A=x/y:z\nB='has space $HOME'\n");
    expect(() => envFileText({ C: "it's" })).toThrow(/C holds a newline or a single quote/);
  });
});
