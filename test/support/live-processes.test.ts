import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { killLeftovers, trackProcess } from "./live-processes.js";

describe("leftover test processes", () => {
  it("kills what is still running and forgets what exited", async () => {
    const done = spawn(process.execPath, ["-e", ""]);
    trackProcess(done);
    await new Promise((r) => done.once("exit", r));
    const hanging = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    trackProcess(hanging);
    expect(await killLeftovers()).toBe(1);
    expect(hanging.signalCode).toBe("SIGKILL");
    expect(await killLeftovers()).toBe(0);
  });
});
