import { finding, type AuditCheck } from "../../audit/index.js";

const SYNCED = /icloud|dropbox|google ?drive|googledrive|onedrive/i;

/** State or config inside a cloud-synced folder copies secrets and transcripts off the machine: `fs.synced_dir` warn (reference §9.4). */
export const syncedDirCheck: AuditCheck = {
  id: "fs.synced_dir",
  area: "disk",
  run(ctx) {
    const hit = [ctx.paths.stateDir, ctx.paths.configPath].find((p) => SYNCED.test(p));
    if (!hit) return [];
    return [
      finding({
        checkId: "fs.synced_dir",
        severity: "warn",
        title: "State lives in a cloud-synced folder",
        detail: `${hit} looks like a synced folder: transcripts and credentials leave this machine.`,
        remediation: "Move the state dir out of synced folders (HOLDFAST_STATE_DIR).",
      }),
    ];
  },
};
