import path from "node:path";
import { finding, inspectPath, notPrivate, octal, type AuditCheck } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";
import { trailPaths } from "../file-trail.js";

/**
 * The security trail readable, writable or replaceable by others: `fs.audit_trail.perms` (warn) for
 * `<stateDir>/audit/` (700) and `security.jsonl` / `security.head.json` (600), or a symlink in their
 * place. The trail holds no content or secrets, but who did what and when, under pseudonyms; a
 * writable trail can be rewritten before `audit-log verify` runs. `security audit --fix` tightens the
 * modes (symlinks are left alone). Source: the data-lifecycle issue ("Tamper-evident security trail").
 */
export const trailFilesCheck: AuditCheck = {
  id: "fs.audit_trail.perms",
  area: "disk",
  async run(ctx) {
    const paths = trailPaths(ctx.paths.stateDir);
    const loose: string[] = [];
    for (const p of [path.dirname(paths.file), paths.file, paths.headFile]) {
      const st = await inspectPath(p);
      if (st.symlink) loose.push(`${p} (symlink)`);
      else if ((st.isFile || st.isDir) && notPrivate(st.mode)) loose.push(`${p} (${octal(st.mode)})`);
    }
    if (loose.length === 0) return [];
    return [
      finding({
        checkId: "fs.audit_trail.perms",
        severity: "warn",
        title: "The security trail is open to other users",
        detail: loose.join(", "),
        remediation: `chmod 700 ${path.dirname(paths.file)} and 600 the files in it; replace a symlink by the file (${cliHint("security audit --fix")} does the modes).`,
      }),
    ];
  },
};
