import type { Linter } from "eslint";

/** The stage-boundary config blocks of eslint.config.js (see eslint.boundaries.js). */
export declare const stageBoundaries: Linter.Config[];
