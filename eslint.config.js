import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import prettier from "eslint-config-prettier";
import { stageBoundaries } from "./eslint.boundaries.js";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
      // Files under 400 lines; more than 4 positional parameters take an options object instead.
      "max-lines": ["error", { max: 400 }],
      "max-params": ["error", 4],
    },
  },
  {
    // Typed rules: a promise is awaited, returned, or explicitly voided; never passed where a
    // callback's result is ignored (an event handler, forEach) so its rejection would go unseen.
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // Every error holdfast throws comes from the catalogue (src/errors, docs/errors.md): a HoldfastError
    // with a code, never a bare Error. Tests may build plain errors: they stand in for what libraries,
    // the network and the OS throw, which the code under test must map to catalogue codes.
    files: ["src/**/*.ts"],
    ignores: ["src/errors/**", "src/**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...["NewExpression", "CallExpression"].map((node) => ({
          selector: `${node}[callee.name=/^(Error|TypeError|RangeError)$/]`,
          message: "Throw a HoldfastError with a code from src/errors/catalogue.ts (documented in docs/errors.md).",
        })),
        {
          selector: "ClassDeclaration[superClass.name=/^(Error|TypeError|RangeError)$/]",
          message: "Error classes extend HoldfastError, so they carry a catalogue code.",
        },
      ],
    },
  },
  prettier,
  ...stageBoundaries,
  {
    // The Control UI runs in the browser (bundled from ui/src by scripts/build-ui.mjs).
    files: ["ui/**/*.ts", "ui/**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
