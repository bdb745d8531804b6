/**
 * Stage boundaries (docs/architecture.md "Stages"). Outside its folder, a stage `src/<stage>/` is
 * reached only through its public entry `<stage>/index.js` or a public sub-entry
 * `<stage>/<sub>/index.js` (channels/webchat, channels/telegram, <stage>/audit). A relative import
 * leaves the importing stage when it climbs back to `src/`, so the pattern depends on how deep the
 * importing file sits (one block per depth). Test files are held to the same rule: a test beside a
 * module imports its internals with `./`, which never climbs out of its stage; e2e tests,
 * test/support and bench/ use the public entries. `client/` (used by the CLI and tests) must not
 * import `app/`.
 */
const BOUNDARY_MESSAGE =
  "Import another stage through its public entry (<stage>/index.js or <stage>/<sub>/index.js), not its internals.";
const deepInto = (prefix) => ({
  regex: `^${prefix}[^./][^/]*/(?!index\\.js$)(?![^/]+/index\\.js$).+`,
  message: BOUNDARY_MESSAGE,
});
const stageBoundary = (prefix, extra = []) => ({
  "no-restricted-imports": ["error", { patterns: [deepInto(prefix), ...extra] }],
});
const CLIENT_NOT_APP = {
  regex: "^(\\.\\./)+app/",
  message: "client/ is used by the CLI and by tests; it must not depend on the composition root (app/).",
};

/** One config block per importing depth, plus client/ and the test and bench trees. */
export const stageBoundaries = [
  { files: ["src/*/*.ts"], rules: stageBoundary("\\.\\./") },
  { files: ["src/*/*/*.ts"], rules: stageBoundary("\\.\\./\\.\\./") },
  { files: ["src/*/*/*/*.ts"], rules: stageBoundary("\\.\\./\\.\\./\\.\\./") },
  { files: ["src/client/*.ts"], rules: stageBoundary("\\.\\./", [CLIENT_NOT_APP]) },
  { files: ["test/*/*.ts"], rules: stageBoundary("\\.\\./\\.\\./src/") },
  { files: ["bench/*.ts"], rules: stageBoundary("\\.\\./src/") },
];
