// A stand-in for the `tailscale` CLI, for tests. It records every invocation (one JSON array per
// line) in $FAKE_TAILSCALE_LOG and answers:
//   whois --json <ip>        → {"UserProfile":{"LoginName":...}} from the JSON map in $FAKE_TAILSCALE_WHOIS, else exit 1
//   serve|funnel ... <target> → exit 0, or exit 1 when $FAKE_TAILSCALE_FAIL names that verb
//   serve|funnel reset       → exit 0
import { appendFileSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (process.env.FAKE_TAILSCALE_LOG) appendFileSync(process.env.FAKE_TAILSCALE_LOG, `${JSON.stringify(args)}\n`);
const [verb] = args;
if (verb === "whois") {
  const map = JSON.parse(
    process.env.FAKE_TAILSCALE_WHOIS ? readFileSync(process.env.FAKE_TAILSCALE_WHOIS, "utf8") : "{}",
  );
  const login = map[args[args.length - 1]];
  if (!login) {
    process.stderr.write("no such peer\n");
    process.exit(1);
  }
  process.stdout.write(
    JSON.stringify({ Node: { Name: "peer.tail.ts.net." }, UserProfile: { LoginName: login, DisplayName: login } }),
  );
} else if ((verb === "serve" || verb === "funnel") && args[1] !== "reset" && process.env.FAKE_TAILSCALE_FAIL === verb) {
  process.stderr.write(`${verb} is not enabled on your tailnet\n`);
  process.exit(1);
} else if (verb === "serve" || verb === "funnel") {
  process.stdout.write(args[1] === "reset" ? "" : "Available within your tailnet\n");
} else {
  process.stderr.write(`fake tailscale: unsupported ${verb}\n`);
  process.exit(2);
}
