import { finding, openPolicies, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Browser control exposure. holdfast has no browser-control tool: a `browser` block is ignored
 * (`browser.control_not_supported`, info). `tools.web.fetch.allowPrivateNetwork: true` lets the model
 * fetch LAN/loopback URLs (routers, admin panels, the gateway itself): `tools.web_fetch.private_network`,
 * critical with open channels, else warn. Source: seeds security-architecture.md "Checks performed".
 */
export const browserExposureCheck: AuditCheck = {
  id: "browser.exposure",
  area: "browser",
  run(ctx) {
    const out: Finding[] = [];
    if (ctx.config.browser !== undefined) {
      out.push(
        finding({
          checkId: "browser.control_not_supported",
          severity: "info",
          title: "browser settings are ignored",
          detail: "holdfast does not provide browser control; the browser block has no effect.",
          remediation: "Remove the browser block to keep the config honest.",
        }),
      );
    }
    if (ctx.config.tools?.web?.fetch?.allowPrivateNetwork === true) {
      const open = openPolicies(ctx.config);
      out.push(
        finding({
          checkId: "tools.web_fetch.private_network",
          severity: open.length ? "critical" : "warn",
          title: "web_fetch may reach private and loopback addresses",
          detail: `tools.web.fetch.allowPrivateNetwork is true${open.length ? ` and ${open.join(", ")} is open` : ""}: a prompt can make the bot call local services.`,
          remediation: "Set tools.web.fetch.allowPrivateNetwork: false.",
        }),
      );
    }
    return out;
  },
};
