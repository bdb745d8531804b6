// Fails when the import graph of src/ has a cycle. Type-only imports (`import type`) and dynamic
// imports count as edges: a cycle made of them still couples the modules it runs through.
// Usage: node scripts/cycles.mjs   (npm run cycles; part of npm test)
import madge from "madge";

// Known cycles that are allowed, each written from its lexicographically first module (none today;
// a listed cycle that no longer exists fails the check, so the list cannot go stale).
const ALLOWED = new Set([]);

const detective = { skipTypeImports: false, skipAsyncImports: false };
const result = await madge("src", {
  fileExtensions: ["ts"],
  tsConfig: "tsconfig.json",
  detectiveOptions: { ts: detective, tsx: detective, es6: { skipTypeImports: false } },
});

// madge reports a cycle from wherever its walk entered it; rotate so each has one spelling.
const canonical = (cycle) => {
  const start = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(start), ...cycle.slice(0, start)].join(" > ");
};

const found = result.circular().map(canonical);
const unexpected = found.filter((c) => !ALLOWED.has(c));
const stale = [...ALLOWED].filter((c) => !found.includes(c));
const problems = [];
if (result.skipped.length > 0)
  problems.push(`unresolved imports (the graph is incomplete): ${result.skipped.join(", ")}`);
for (const c of unexpected) problems.push(`import cycle: ${c}`);
for (const c of stale) problems.push(`allowed cycle no longer exists, remove it from scripts/cycles.mjs: ${c}`);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
const files = Object.keys(result.obj()).length;
console.log(
  `no import cycles in ${files} files${ALLOWED.size ? ` (${ALLOWED.size} allowed, see scripts/cycles.mjs)` : ""}`,
);
