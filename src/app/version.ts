import { PACKAGE_VERSION } from "../infra/index.js";

/** The package version (from package.json). */
export const VERSION: string = PACKAGE_VERSION;
