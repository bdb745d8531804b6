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
 * The credentials directory (generated gateway token, pairing stores, channel credentials):
 * `fs.credentials_dir.perms_writable` (critical) and `fs.credentials_dir.perms_readable` (warn) for the
 * directory or any file in it. Source: reference §9.4; seeds "Permission Requirements".
 */
export const credentialsDirCheck: AuditCheck = {
  id: "fs.credentials_dir",
  area: "disk",
  async run(ctx) {
    const dir = ctx.paths.credentialsDir;
    const st = await inspectPath(dir);
    if (!st.exists || st.symlink) return [];
    const out: Finding[] = [];
    if (groupOrWorldWritable(st.mode))
      out.push(
        finding({
          checkId: "fs.credentials_dir.perms_writable",
          severity: "critical",
          title: "Credentials directory is writable by others",
          detail: `${dir} has mode ${octal(st.mode)}.`,
          remediation: `chmod 700 ${dir} (or ${cliHint("security audit --fix")})`,
        }),
      );
    else if (notPrivate(st.mode))
      out.push(
        finding({
          checkId: "fs.credentials_dir.perms_readable",
          severity: "warn",
          title: "Credentials directory is readable by others",
          detail: `${dir} has mode ${octal(st.mode)}.`,
          remediation: `chmod 700 ${dir} (or ${cliHint("security audit --fix")})`,
        }),
      );
    const loose: string[] = [];
    for (const name of await listDir(dir)) {
      const f = await inspectPath(path.join(dir, name));
      if (f.isFile && notPrivate(f.mode)) loose.push(`${name} (${octal(f.mode)})`);
    }
    if (loose.length > 0)
      out.push(
        finding({
          checkId: "fs.credentials_dir.perms_readable",
          severity: "warn",
          title: "Credential files are readable by others",
          detail: `In ${dir}: ${loose.join(", ")}.`,
          remediation: `chmod 600 the files (or ${cliHint("security audit --fix")})`,
        }),
      );
    return out;
  },
};
