import path from "node:path";
import { finding, inspectPath, listDir, notPrivate, octal, type AuditCheck } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

/**
 * Session stores and transcripts readable by others: `fs.sessions_store.perms_readable` (warn) for
 * `agents/<id>`, `agents/<id>/sessions`, `state/` (must be 700), `*.jsonl*`, legacy `sessions.json*` and the
 * state database `state/holdfast.sqlite*` holding the session index (600).
 * Source: reference §9.2, §9.4; seeds "On-Disk Storage Locations".
 */
export const transcriptsCheck: AuditCheck = {
  id: "fs.sessions_store.perms_readable",
  area: "disk",
  async run(ctx) {
    const loose: string[] = [];
    for (const agent of await listDir(ctx.paths.agentsDir)) {
      const agentDir = path.join(ctx.paths.agentsDir, agent);
      const sessionsDir = path.join(agentDir, "sessions");
      for (const dir of [agentDir, sessionsDir]) {
        const st = await inspectPath(dir);
        if (st.isDir && notPrivate(st.mode)) loose.push(`${dir} (${octal(st.mode)})`);
      }
      for (const name of await listDir(sessionsDir)) {
        if (!name.startsWith("sessions.json") && !name.includes(".jsonl")) continue;
        const st = await inspectPath(path.join(sessionsDir, name));
        if (st.isFile && notPrivate(st.mode)) loose.push(`${path.join(sessionsDir, name)} (${octal(st.mode)})`);
      }
    }
    const stateDir = path.join(ctx.paths.stateDir, "state");
    const st = await inspectPath(stateDir);
    if (st.isDir && notPrivate(st.mode)) loose.push(`${stateDir} (${octal(st.mode)})`);
    for (const name of await listDir(stateDir)) {
      if (!name.startsWith("holdfast.sqlite")) continue;
      const f = await inspectPath(path.join(stateDir, name));
      if (f.isFile && notPrivate(f.mode)) loose.push(`${path.join(stateDir, name)} (${octal(f.mode)})`);
    }
    if (loose.length === 0) return [];
    const shown = loose.slice(0, 5).join(", ") + (loose.length > 5 ? `, and ${loose.length - 5} more` : "");
    return [
      finding({
        checkId: "fs.sessions_store.perms_readable",
        severity: "warn",
        title: "Conversation transcripts are readable by others",
        detail: shown,
        remediation: `chmod 700 the directories and 600 the files (${cliHint("security audit --fix")}).`,
      }),
    ];
  },
};
