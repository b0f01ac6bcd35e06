import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/", "functions/lib/", "web-admin/dist/", ".emulator/", "firebase.ports-*.json"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  { files: ["functions/src/**/*.ts"], rules: { "no-console": "error" } },
  { files: ["web-admin/src/**/*.ts"], languageOptions: { globals: { ...globals.browser } } },
  { files: ["test/**/*.ts"], languageOptions: { globals: { ...globals.mocha } } },
);
