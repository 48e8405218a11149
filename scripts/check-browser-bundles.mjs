// Checks that every library package's browser-safe entries run in a browser: each root entry
// (and any ./browser entry) of packages/* is bundled from dist/ with esbuild for
// platform=browser (tfjs and the package's own peers left external), and the bundle may not
// import a Node built-in (node:* or bare fs, path, os…). The entry's published .d.ts files may not
// reference Node types either. Run after `pnpm build`: pnpm check:browser
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
// @kdkit/backend's per-backend loaders are browser entries too.
const BROWSER_SAFE_SUBPATHS = ['.', './browser', './webgpu', './webgl', './wasm', './cpu'];
const builtins = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));
const isBuiltin = (spec) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]);

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.json.private && p.json.exports);

/** The published file of `subpath` under `condition` ('default' or 'types'). */
function target(pkg, subpath, condition) {
  const entry = (pkg.json.publishConfig?.exports ?? pkg.json.exports)[subpath];
  if (entry === undefined) return undefined;
  const file =
    typeof entry === 'string' ? entry : (entry.browser ?? entry[condition] ?? entry.default);
  return typeof file === 'string' ? join(pkg.dir, file) : undefined;
}

/**
 * Fails the bundle on a Node built-in, naming the module that imports it. A package's own
 * `#imports` that map to an external package (tfjs) stay external, as their specifiers would.
 */
const noNodeBuiltins = (found, pkg, external) => ({
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^#/ }, (args) => {
      const mapped = pkg.json.imports?.[args.path];
      const spec = typeof mapped === 'string' ? mapped : (mapped?.browser ?? mapped?.default);
      const isExternal = (name) =>
        external.some((e) =>
          e.endsWith('/*')
            ? name.startsWith(e.slice(0, -1))
            : name === e || name.startsWith(`${e}/`),
        );
      if (typeof spec === 'string' && !spec.startsWith('.') && isExternal(spec)) {
        return { path: spec, external: true };
      }
      return undefined;
    });
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || !isBuiltin(args.path)) return undefined;
      found.push(`${args.path} (imported by ${relative(root, args.importer)})`);
      return { path: args.path, external: true };
    });
  },
});

async function checkBundle(pkg, entry) {
  const found = [];
  const external = ['@tensorflow/*', ...Object.keys(pkg.json.peerDependencies ?? {})];
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
    external,
    plugins: [noNodeBuiltins(found, pkg, external)],
  }).catch((error) => ({ errors: error.errors ?? [{ text: String(error) }], outputFiles: [] }));
  const problems = [
    ...found.map((f) => `imports Node built-in ${f}`),
    ...(result.errors ?? []).map(
      (e) => `esbuild: ${e.text}${e.location ? ` (${relative(root, e.location.file)})` : ''}`,
    ),
  ];
  const bytes = result.outputFiles?.[0]?.contents.length ?? 0;
  return { problems, bytes };
}

const NODE_TYPES = [
  [/from\s+['"]node:[^'"]+['"]|import\(['"]node:/, 'imports a node: module'],
  [/\/\/\/\s*<reference\s+types=['"]node['"]/, 'references @types/node'],
  [/\bNodeJS\./, 'uses the NodeJS namespace'],
  [/\bBuffer\b/, 'uses Buffer'],
];

/** Walks the .d.ts files reachable from `entry` by relative imports; lists Node type uses. */
function checkTypes(entry) {
  const problems = [];
  const seen = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of NODE_TYPES) {
      if (pattern.test(text)) problems.push(`${relative(root, file)} ${what}`);
    }
    for (const match of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const spec = match[1].replace(/\.js$/, '');
      queue.push(join(dirname(file), `${spec}.d.ts`), join(dirname(file), spec, 'index.d.ts'));
    }
  }
  return problems;
}

let failures = 0;
let checked = 0;
for (const pkg of packages) {
  for (const subpath of BROWSER_SAFE_SUBPATHS) {
    const entry = target(pkg, subpath, 'default');
    if (entry === undefined) continue;
    const name = `${pkg.json.name}${subpath === '.' ? '' : subpath.slice(1)}`;
    checked++;
    if (!existsSync(entry)) {
      failures++;
      console.error(`FAIL ${name}: ${relative(root, entry)} is missing (run pnpm build first)`);
      continue;
    }
    const { problems, bytes } = await checkBundle(pkg, entry);
    const types = target(pkg, subpath, 'types');
    if (types) problems.push(...checkTypes(types));
    if (problems.length > 0) {
      failures++;
      console.error(`FAIL ${name}:\n  ${problems.join('\n  ')}`);
    } else {
      console.log(`ok ${name}: ${(bytes / 1024).toFixed(0)} KiB browser bundle, no Node built-ins`);
    }
  }
}
if (failures > 0) {
  console.error(`${failures} of ${checked} entries are not browser-safe`);
  process.exit(1);
}
console.log(`all ${checked} browser entries bundle for the browser without Node built-ins`);
