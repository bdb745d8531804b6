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
        finding(
          "fs.config.symlink",
          "warn",
          "Config file is a symlink",
          `${at} is a symbolic link; holdfast's atomic writes replace the link with a file.`,
          "Set HOLDFAST_CONFIG_PATH to the real file.",
        ),
      ];
    const out: Finding[] = [];
    const fix = `chmod 600 ${at} (or holdfast security audit --fix)`;
    if (groupOrWorldWritable(st.mode))
      out.push(
        finding(
          "fs.config.perms_writable",
          "critical",
          "Config file is writable by others",
          `${at} has mode ${octal(st.mode)}: others can change who may talk to the bot and what it may run.`,
          fix,
        ),
      );
    if (worldReadable(st.mode))
      out.push(
        finding(
          "fs.config.perms_world_readable",
          "critical",
          "Config file is world-readable",
          `${at} has mode ${octal(st.mode)}; it may hold tokens.`,
          fix,
        ),
      );
    else if (groupReadable(st.mode))
      out.push(
        finding(
          "fs.config.perms_group_readable",
          "warn",
          "Config file is group-readable",
          `${at} has mode ${octal(st.mode)}.`,
          fix,
        ),
      );
    return out;
  },
};
