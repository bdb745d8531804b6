import path from "node:path";
import {
  finding,
  groupOrWorldWritable,
  inspectPath,
  listDir,
  notPrivate,
  octal,
  type AuditCheck,
  type Finding,
} from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

/**
 * WhatsApp's linked-device sessions, `<credentials>/whatsapp/<accountId>/` (creds.json and the signal
 * keys: whoever reads them is that WhatsApp account): the OpenClaw checkIds of the credentials
 * directory, `fs.credentials_dir.perms_writable` (critical: a directory others can write) and
 * `fs.credentials_dir.perms_readable` (warn: a directory or file others can read), for this subtree,
 * which the top-level credentials check does not descend into. Source: reference §9.4, §2 layout.
 */
export const whatsappCredentialsCheck: AuditCheck = {
  id: "fs.credentials_dir.whatsapp",
  area: "disk",
  async run(ctx) {
    const root = path.join(ctx.paths.credentialsDir, "whatsapp");
    const top = await inspectPath(root);
    if (!top.exists || top.symlink) return [];
    const dirs = [top];
    for (const name of await listDir(root)) {
      const d = await inspectPath(path.join(root, name));
      if (d.isDir && !d.symlink) dirs.push(d);
    }
    const writable = dirs.filter((d) => groupOrWorldWritable(d.mode));
    const readable = dirs.filter((d) => !groupOrWorldWritable(d.mode) && notPrivate(d.mode));
    const loose: string[] = [];
    for (const d of dirs.slice(1))
      for (const name of await listDir(d.path)) {
        const f = await inspectPath(path.join(d.path, name));
        if (f.isFile && notPrivate(f.mode)) loose.push(`${path.basename(d.path)}/${name} (${octal(f.mode)})`);
      }
    const out: Finding[] = [];
    const list = (ds: typeof dirs) => ds.map((d) => `${d.path} (${octal(d.mode)})`).join(", ");
    if (writable.length > 0)
      out.push(
        finding({
          checkId: "fs.credentials_dir.perms_writable",
          severity: "critical",
          title: "WhatsApp session directory is writable by others",
          detail: `${list(writable)}: another user could replace the linked device's keys.`,
          remediation: `chmod 700 ${writable.map((d) => d.path).join(" ")} (or ${cliHint("security audit --fix")})`,
        }),
      );
    if (readable.length > 0 || loose.length > 0)
      out.push(
        finding({
          checkId: "fs.credentials_dir.perms_readable",
          severity: "warn",
          title: "WhatsApp session is readable by others",
          detail: `${[list(readable), loose.length ? `files in ${root}: ${loose.join(", ")}` : ""].filter(Boolean).join("; ")}: whoever reads creds.json and the keys can act as this WhatsApp account.`,
          remediation: `chmod 700 the directories and 600 the files under ${root} (or ${cliHint("security audit --fix")})`,
        }),
      );
    return out;
  },
};
