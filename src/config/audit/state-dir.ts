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
 * State directory permissions (reference §9.4 "Filesystem"; seeds "Permission Requirements"):
 * `fs.state_dir.symlink` (warn), `.perms_world_writable` (critical), `.perms_group_writable` (warn),
 * `.perms_readable` (warn). `security audit --fix` sets 700.
 */
export const stateDirCheck: AuditCheck = {
  id: "fs.state_dir",
  area: "disk",
  async run(ctx) {
    const st = await inspectPath(ctx.paths.stateDir);
    if (!st.exists) return [];
    const at = ctx.paths.stateDir;
    const out: Finding[] = [];
    if (st.symlink)
      return [
        finding(
          "fs.state_dir.symlink",
          "warn",
          "State directory is a symlink",
          `${at} is a symbolic link; its target's permissions decide who reads your secrets.`,
          "Point HOLDFAST_STATE_DIR at the real directory.",
        ),
      ];
    const fix = `chmod 700 ${at} (or holdfast security audit --fix)`;
    if ((st.mode & 0o002) !== 0)
      out.push(
        finding(
          "fs.state_dir.perms_world_writable",
          "critical",
          "State directory is world-writable",
          `${at} has mode ${octal(st.mode)}: anyone can replace config, transcripts and credentials.`,
          fix,
        ),
      );
    else if (groupOrWorldWritable(st.mode))
      out.push(
        finding(
          "fs.state_dir.perms_group_writable",
          "warn",
          "State directory is group-writable",
          `${at} has mode ${octal(st.mode)}.`,
          fix,
        ),
      );
    if (worldReadable(st.mode) || groupReadable(st.mode))
      out.push(
        finding(
          "fs.state_dir.perms_readable",
          "warn",
          "State directory is readable by others",
          `${at} has mode ${octal(st.mode)}.`,
          fix,
        ),
      );
    return out;
  },
};
