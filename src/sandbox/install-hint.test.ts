import { describe, expect, it } from "vitest";
import { bubblewrapInstallHint } from "./install-hint.js";

describe("bubblewrapInstallHint", () => {
  it.each([
    ['ID=debian\nVERSION_ID="12"', "sudo apt-get install bubblewrap"],
    ["ID=ubuntu\nID_LIKE=debian", "sudo apt-get install bubblewrap"],
    ['ID=linuxmint\nID_LIKE="ubuntu debian"', "sudo apt-get install bubblewrap"],
    ["ID=fedora\nVERSION_ID=40", "sudo dnf install bubblewrap"],
    ['ID="rocky"\nID_LIKE="rhel centos fedora"', "sudo dnf install bubblewrap"],
    ["ID=arch", "sudo pacman -S bubblewrap"],
    ["ID=alpine", "sudo apk add bubblewrap"],
  ])("%s → %s", (release, expected) => {
    expect(bubblewrapInstallHint("linux", release)).toBe(`install bubblewrap: ${expected}`);
  });

  it("names both common package managers when the distribution is unknown", () => {
    const h = bubblewrapInstallHint("linux", "ID=gentoo");
    expect(h).toContain("apt-get install bubblewrap");
    expect(h).toContain("dnf install bubblewrap");
  });

  it("says what works on macOS instead (Docker or a Linux VM)", () => {
    const h = bubblewrapInstallHint("darwin");
    expect(h).toContain("Docker");
    expect(h).toContain("Linux VM");
  });
});
