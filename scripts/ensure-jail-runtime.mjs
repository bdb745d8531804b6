// npm postinstall: makes sure the jail runtime (bubblewrap) is there, so the README's first command
// sets up a fresh machine. Every tool call of holdfast runs in a jail; without bubblewrap the gateway
// still starts and chats, but refuses file and command tools and says what to install.
// - bubblewrap present: nothing to do.
// - Linux, missing, and we may install (root, or passwordless sudo): installs it with the system's
//   package manager (apt-get, dnf, yum, zypper, pacman, apk) and says so.
// - otherwise: prints the exact command, and the install goes on.
// HOLDFAST_SKIP_JAIL_SETUP=1 skips all of it. Never fails the npm install.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

const DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];
const MANAGERS = [
  [
    "apt-get",
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "bubblewrap"],
  ],
  ["dnf", null, ["dnf", "install", "-y", "bubblewrap"]],
  ["yum", null, ["yum", "install", "-y", "bubblewrap"]],
  ["zypper", null, ["zypper", "--non-interactive", "install", "bubblewrap"]],
  ["pacman", null, ["pacman", "-S", "--noconfirm", "bubblewrap"]],
  ["apk", null, ["apk", "add", "bubblewrap"]],
];

const found = (name) =>
  DIRS.some((d) => {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
const say = (line) => console.log(`holdfast: ${line}`);

function main() {
  if (process.env.HOLDFAST_SKIP_JAIL_SETUP === "1") return;
  if (process.platform === "darwin") {
    say(
      'bubblewrap does not exist on macOS: file and command tools need the Docker sandbox (agents.defaults.sandbox: { mode: "all", backend: "docker" }) or holdfast in a Linux VM.',
    );
    return;
  }
  if (process.platform !== "linux" || found("bwrap")) return;
  const manager = MANAGERS.find(([name]) => found(name));
  const command = manager
    ? `${manager[0]} ${manager[0] === "pacman" ? "-S" : manager[0] === "apk" ? "add" : "install"} bubblewrap`
    : "apt-get install bubblewrap (or dnf install bubblewrap)";
  const root = process.getuid?.() === 0;
  const sudo = !root && found("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
  if (!manager || (!root && !sudo)) {
    say(`bubblewrap is missing: file and command tools stay refused until you run: sudo ${command}`);
    return;
  }
  say(`installing bubblewrap (the jail every tool call runs in): ${root ? "" : "sudo "}${command}`);
  const run = (argv) =>
    spawnSync(root ? argv[0] : "sudo", root ? argv.slice(1) : ["-n", ...argv], { stdio: "inherit" });
  if (manager[1]) run(manager[1]);
  const r = run(manager[2]);
  if (r.status === 0 && found("bwrap")) say("bubblewrap installed.");
  else say(`could not install bubblewrap; run: sudo ${command}`);
}

main();
