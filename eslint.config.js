// One flat config for the whole workspace. Each package runs `eslint .` from its folder.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
      // Configuration is parsed once, validated, and injected. Only config modules may read the environment.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read settings through the app's config module (src/config.ts)." },
      ],
    },
  },
  {
    files: ["**/src/config.ts", "packages/config/src/**", "packages/testkit/src/**", "**/*.test.ts", "**/test/**", "**/bench/**", "scripts/**", "e2e/**", "tests/**", "**/vitest.config.ts"],
    rules: { "no-restricted-properties": "off", "no-console": "off" },
  },
);
