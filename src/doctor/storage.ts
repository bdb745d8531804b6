import type { HoldfastPaths } from "../config/index.js";
import { silentLogger } from "../logging/index.js";
import { inspectStorage, openStateStore, reconcileIndex, type StorageFinding } from "../store/index.js";

/**
 * The storage part of `holdfast doctor`: what {@link inspectStorage} finds, and with `fix` a rebuild
 * of the session index from the transcripts (orphans re-indexed, message counts re-derived) before
 * the check, so the report shows what is left.
 */
export async function checkStorage(
  paths: Pick<HoldfastPaths, "stateDir" | "agentsDir">,
  fix: boolean,
): Promise<{ findings: StorageFinding[]; fixed: string[] }> {
  const fixed: string[] = [];
  if (fix) {
    const log = silentLogger();
    const state = await openStateStore({ stateDir: paths.stateDir, agentsDir: paths.agentsDir, log });
    try {
      const changed = [
        ...state.recovery.reindexed,
        ...(await reconcileIndex({ index: state.sessions, agentsDir: paths.agentsDir, log, full: true })),
      ];
      if (changed.length > 0)
        fixed.push(`session index rebuilt from the transcripts (${changed.length} session(s) re-indexed or corrected)`);
      if (state.recovery.recreated) fixed.push("the unreadable state database was moved aside and a new one created");
    } finally {
      state.close();
    }
  }
  return { findings: await inspectStorage({ stateDir: paths.stateDir, agentsDir: paths.agentsDir }), fixed };
}
