import { helperScript, hostRunner, runHelperOnce } from "../../src/sandbox/index.js";
import type { ToolFiles } from "../../src/tools/index.js";

/**
 * A {@link ToolFiles} for unit tests without a jail: the real file helper (dist/jail-fileops.mjs)
 * runs as a child process on the host, on the call's workspace, confined to it — the same rules as
 * in a jail, without the jail around them.
 */
export function hostToolFiles(opts: { readonly confine?: boolean } = {}): ToolFiles {
  return {
    run: (ctx, ops, o = {}) =>
      runHelperOnce(
        (req) => hostRunner.run({ ...req, cwd: ctx.workspaceDir }),
        {
          cwd: ctx.workspaceDir,
          roots: [{ path: ctx.workspaceDir, writable: true }],
          confine: opts.confine ?? true,
          ops: [...ops],
          ...(o.continueOnError ? { continueOnError: true } : {}),
        },
        { cwd: ctx.workspaceDir, signal: ctx.signal, argv: [process.execPath, helperScript("fileops")] },
      ),
  };
}
