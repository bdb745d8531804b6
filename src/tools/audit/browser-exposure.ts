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
        finding(
          "browser.control_not_supported",
          "info",
          "browser settings are ignored",
          "holdfast does not provide browser control; the browser block has no effect.",
          "Remove the browser block to keep the config honest.",
        ),
      );
    }
    if (ctx.config.tools?.web?.fetch?.allowPrivateNetwork === true) {
      const open = openPolicies(ctx.config);
      out.push(
        finding(
          "tools.web_fetch.private_network",
          open.length ? "critical" : "warn",
          "web_fetch may reach private and loopback addresses",
          `tools.web.fetch.allowPrivateNetwork is true${open.length ? ` and ${open.join(", ")} is open` : ""}: a prompt can make the bot call local services.`,
          "Set tools.web.fetch.allowPrivateNetwork: false.",
        ),
      );
    }
    return out;
  },
};
