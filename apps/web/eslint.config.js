// The workspace's rules (../../eslint.config.js), plus browser globals, the rules of React hooks and
// accessibility checks for the site's code in src/.
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import workspace from "../../eslint.config.js";

export default [
  ...workspace,
  { ignores: ["test-results/**"] },
  { files: ["src/**/*.{ts,tsx}"], languageOptions: { globals: globals.browser } },
  { files: ["src/**/*.{ts,tsx}"], ...reactHooks.configs.flat.recommended },
  { files: ["src/**/*.tsx"], ...jsxA11y.flatConfigs.recommended },
  // The server's config module is the one place that reads the environment (like src/config.ts elsewhere).
  { files: ["server/config.ts"], rules: { "no-restricted-properties": "off" } },
];
