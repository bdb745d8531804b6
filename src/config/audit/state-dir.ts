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
 * State directory permissions (reference §9.4 "Filesystem"; seeds "Permission Requirements"):
 * `fs.state_dir.symlink` (warn), `.perms_world_writable` (critical), `.perms_group_writable` (warn),
 * `.perms_readable` (warn), and `fs.state_dir.owner_mismatch` (critical: another user owns it; the
 * gateway refuses to start). `security audit --fix` sets 700.
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
        finding({
          checkId: "fs.state_dir.symlink",
          severity: "warn",
          title: "State directory is a symlink",
          detail: `${at} is a symbolic link; its target's permissions decide who reads your secrets.`,
          remediation: "Point HOLDFAST_STATE_DIR at the real directory.",
        }),
      ];
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== undefined && st.uid !== uid)
      out.push(
        finding({
          checkId: "fs.state_dir.owner_mismatch",
          severity: "critical",
          title: "State directory belongs to another user",
          detail: `${at} is owned by uid ${st.uid}, not by this user (uid ${uid}): that user can replace config, credentials and transcripts. The gateway refuses to start.`,
          remediation: "Run holdfast as the directory's owner, or point HOLDFAST_STATE_DIR at a directory of your own.",
        }),
      );
    const fix = `chmod 700 ${at} (or ${cliHint("security audit --fix")})`;
    if ((st.mode & 0o002) !== 0)
      out.push(
        finding({
          checkId: "fs.state_dir.perms_world_writable",
          severity: "critical",
          title: "State directory is world-writable",
          detail: `${at} has mode ${octal(st.mode)}: anyone can replace config, transcripts and credentials.`,
          remediation: fix,
        }),
      );
    else if (groupOrWorldWritable(st.mode))
      out.push(
        finding({
          checkId: "fs.state_dir.perms_group_writable",
          severity: "warn",
          title: "State directory is group-writable",
          detail: `${at} has mode ${octal(st.mode)}.`,
          remediation: fix,
        }),
      );
    if (worldReadable(st.mode) || groupReadable(st.mode))
      out.push(
        finding({
          checkId: "fs.state_dir.perms_readable",
          severity: "warn",
          title: "State directory is readable by others",
          detail: `${at} has mode ${octal(st.mode)}.`,
          remediation: fix,
        }),
      );
    return out;
  },
};
