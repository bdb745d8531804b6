import { finding, inspectPath, notPrivate, octal, type AuditCheck } from "../../audit/index.js";

/**
 * The generated gateway token file (`<stateDir>/credentials/gateway-token`):
 * `fs.gateway_token_file.insecure` (critical) when it is a symlink, not a regular file, owned by
 * another user, hard-linked, or readable/writable by others; the gateway refuses to start with it.
 */
export const tokenFileCheck: AuditCheck = {
  id: "fs.gateway_token_file.insecure",
  area: "disk",
  async run(ctx) {
    const file = ctx.paths.generatedTokenFile;
    const st = await inspectPath(file);
    if (!st.exists) return [];
    const uid = process.getuid?.();
    const why = st.symlink
      ? "is a symbolic link"
      : !st.isFile
        ? "is not a regular file"
        : uid !== undefined && st.uid !== uid
          ? `belongs to uid ${st.uid}`
          : (st.nlink ?? 1) > 1
            ? `has ${st.nlink} hard links`
            : notPrivate(st.mode)
              ? `has mode ${octal(st.mode)}`
              : undefined;
    if (!why) return [];
    return [
      finding({
        checkId: "fs.gateway_token_file.insecure",
        severity: "critical",
        title: "The generated gateway token file is not private",
        detail: `${file} ${why}: someone else may read or plant the gateway's credential. The gateway refuses to start with it.`,
        remediation: `Remove ${file}; the gateway generates a new token on the next start.`,
      }),
    ];
  },
};
