import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const BUILTINS = new Set(builtinModules);

/**
 * Fails the browser build on any Node built-in (`node:fs`, `events`, …) instead of letting Vite
 * stub it out: such a module would break at run time in the page. Names the importer, so a
 * library root entry that reaches Node-only code is found at build time. Third-party modules
 * (tfjs-core's Node platform file, guarded at run time) keep Vite's stub.
 */
export function refuseNodeBuiltins(): Plugin {
  return {
    name: 'kdkit-refuse-node-builtins',
    enforce: 'pre',
    apply: 'build',
    resolveId(id, importer) {
      const ours = importer !== undefined && !importer.includes('/node_modules/');
      if (ours && (id.startsWith('node:') || BUILTINS.has(id))) {
        this.error(
          `'${id}' imported by ${importer}: a Node built-in in the browser bundle (library root entries must run in a browser; Node-only code belongs behind a './node' subpath).`,
        );
      }
      return null;
    },
  };
}
