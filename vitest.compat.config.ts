import { defineConfig } from "vitest/config";

/**
 * The compatibility suite (`npm run test:compat`): the real OpenClaw clients against a real gateway,
 * inside the private network namespace scripts/compat.mjs creates. Not part of `npm test`; the fast
 * replay of the recorded frames (test/compat-replay) is.
 */
export default defineConfig({
  test: {
    include: ["test/compat/**/*.compat.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default"],
  },
});
