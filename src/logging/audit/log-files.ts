import path from "node:path";
import { finding, inspectPath, notPrivate, octal, type AuditCheck } from "../../audit/index.js";
import { defaultLogDir } from "../log-file.js";
import { cliHint } from "../../infra/index.js";

/**
 * Gateway log files (and the default log directory) readable by others: `fs.log_file.perms_readable` (warn).
 * Logs are redacted, but still hold ids, session keys and tool names. Source: reference §9.4.
 */
export const logFilesCheck: AuditCheck = {
  id: "fs.log_file.perms_readable",
  area: "disk",
  async run(ctx) {
    const loose: string[] = [];
    const ownDirs = [...new Set(ctx.logFiles.map((f) => path.dirname(f)))].filter(
      (d) => d === defaultLogDir(ctx.paths.stateDir),
    );
    for (const p of [...ownDirs, ...ctx.logFiles]) {
      const st = await inspectPath(p);
      if ((st.isFile || st.isDir) && notPrivate(st.mode)) loose.push(`${p} (${octal(st.mode)})`);
    }
    if (loose.length === 0) return [];
    return [
      finding({
        checkId: "fs.log_file.perms_readable",
        severity: "warn",
        title: "Gateway logs are readable by others",
        detail: loose.slice(0, 5).join(", "),
        remediation: `chmod 600 the log files and 700 their directory (${cliHint("security audit --fix")}).`,
      }),
    ];
  },
};
