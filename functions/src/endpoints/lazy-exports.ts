// Exports that are built the first time something reads them. A deployed instance serves one function: the
// Functions Framework loads the entry module (index.ts) and reads only the export FUNCTION_TARGET names, so with
// getters an instance loads that function's module and never the others' (a Firestore trigger never loads the
// Cloud Tasks SDK, the callables' auth checks or the scheduler). Firebase's discovery (`firebase deploy`, the
// emulator) enumerates every export, reads each getter, and so sees every function with the same options as
// before. Why getters rather than one module per codebase: docs/decisions.md, "Functions load what they serve".

/**
 * Defines `names` on `target` (the entry module's `exports`) as enumerable getters that `load()` the module
 * defining them on first read. `load` is called at most once per name (Node caches the module anyway).
 */
export function lazyExports<M extends object>(target: object, names: readonly (keyof M & string)[], load: () => M) {
  for (const name of names) {
    let loaded = false;
    let value: unknown;
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: false,
      get() {
        if (!loaded) {
          value = load()[name];
          loaded = true;
        }
        return value;
      },
    });
  }
}
