import {
  finding,
  groupOrWorldWritable,
  groupReadable,
  inspectPath,
  octal,
  worldReadable,
  type AuditCheck,
  type Finding,
} from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

/**
 * Config file permissions (reference §9.4 "Filesystem"): `fs.config.symlink` (warn),
 * `fs.config.perms_writable` (critical), `fs.config.perms_world_readable` (critical),
 * `fs.config.perms_group_readable` (warn). `security audit --fix` sets 600.
 */
export const configFileCheck: AuditCheck = {
  id: "fs.config",
  area: "disk",
  async run(ctx) {
    const at = ctx.paths.configPath;
    const st = await inspectPath(at);
    if (!st.exists) return [];
    if (st.symlink)
      return [
        finding({
          checkId: "fs.config.symlink",
          severity: "warn",
          title: "Config file is a symlink",
          detail: `${at} is a symbolic link; holdfast's atomic writes replace the link with a file.`,
          remediation: "Set HOLDFAST_CONFIG_PATH to the real file.",
        }),
      ];
    const out: Finding[] = [];
    const fix = `chmod 600 ${at} (or ${cliHint("security audit --fix")})`;
    if (groupOrWorldWritable(st.mode))
      out.push(
        finding({
          checkId: "fs.config.perms_writable",
          severity: "critical",
          title: "Config file is writable by others",
          detail: `${at} has mode ${octal(st.mode)}: others can change who may talk to the bot and what it may run.`,
          remediation: fix,
        }),
      );
    if (worldReadable(st.mode))
      out.push(
        finding({
          checkId: "fs.config.perms_world_readable",
          severity: "critical",
          title: "Config file is world-readable",
          detail: `${at} has mode ${octal(st.mode)}; it may hold tokens.`,
          remediation: fix,
        }),
      );
    else if (groupReadable(st.mode))
      out.push(
        finding({
          checkId: "fs.config.perms_group_readable",
          severity: "warn",
          title: "Config file is group-readable",
          detail: `${at} has mode ${octal(st.mode)}.`,
          remediation: fix,
        }),
      );
    return out;
  },
};
