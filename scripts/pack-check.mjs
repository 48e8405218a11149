// Packs every public package, runs publint on it, then installs each tarball ALONE into a fresh
// project outside the workspace (with only the tarballs of its kdkit dependencies, and its peers
// from the registry) and calls one real function. This is what a user who installs a single
// package from npm gets.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'kdkit-pack-'));
const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);

// One real call per package, run in the fresh project.
const SMOKE = {
  '@kdkit/engine': `
    const { initBackend, SeededRandom } = await import('@kdkit/engine');
    const info = await initBackend('wasm');
    if (info.name !== 'wasm') throw new Error('expected wasm');
    console.log('rng', new SeededRandom(1).nextUint32());`,
  '@kdkit/wasm-kernels': `
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    const { installWasmKernels } = await import('@kdkit/wasm-kernels');
    const { added } = installWasmKernels();
    // The filter gradient of a conv layer: a kernel stock wasm lacks.
    const x = tf.ones([1, 5, 5, 2]);
    const dy = tf.ones([1, 5, 5, 4]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 4] };
    const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs);
    console.log('added', added.join(' '), '; filter grad sum', tf.sum(dw).dataSync()[0]);`,
  '@kdkit/losses': `
    const tf = await import('@tensorflow/tfjs-core');
    await (await import('@kdkit/engine')).initBackend('wasm');
    const { softCrossEntropy } = await import('@kdkit/losses');
    const loss = softCrossEntropy(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[3, 2, 1]]), { temperature: 2 });
    console.log('soft CE', loss.dataSync()[0]);`,
  '@kdkit/datasets': `
    const { loadFashionMnistMini } = await import('@kdkit/datasets');
    const ds = await loadFashionMnistMini({ split: 'test' });
    console.log('mini test size', ds.size, ds.shape);`,
  '@kdkit/models': `
    await (await import('@kdkit/engine')).initBackend('wasm');
    const { createModel } = await import('@kdkit/models');
    const model = createModel('cnn-student', { seed: 1 });
    console.log('cnn-student params', model.countParams());`,
  '@kdkit/trainers': `
    await (await import('@kdkit/engine')).initBackend('wasm');
    const { evaluate } = await import('@kdkit/trainers');
    const { createModel } = await import('@kdkit/models');
    const { loadFashionMnistMini } = await import('@kdkit/datasets');
    const test = await loadFashionMnistMini({ split: 'test' });
    const result = await evaluate(createModel('cnn-student', { seed: 1 }), test, { batchSize: 256 });
    console.log('untrained accuracy', result.accuracy);`,
  '@kdkit/experiments': `
    const experiments = await import('@kdkit/experiments');
    if (typeof experiments.runTriplet !== 'function') throw new Error('runTriplet missing');
    console.log('exports', Object.keys(experiments).join(', '));`,
};

const sh = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    json: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')),
  }))
  .filter((p) => !p.json.private);
// PACK_ONLY=@kdkit/engine,@kdkit/losses checks a subset (their kdkit dependencies are packed too).
const only = process.env.PACK_ONLY?.split(',');
const checked = only ? packages.filter((p) => only.includes(p.json.name)) : packages;

const kdkitDeps = (name, seen = new Set()) => {
  const pkg = packages.find((p) => p.json.name === name);
  for (const dep of Object.keys(pkg?.json.dependencies ?? {})) {
    if (dep.startsWith('@kdkit/') && !seen.has(dep)) {
      seen.add(dep);
      kdkitDeps(dep, seen);
    }
  }
  return seen;
};

const needed = new Set(checked.flatMap((p) => [p.json.name, ...kdkitDeps(p.json.name)]));
const tarballs = new Map();
for (const pkg of packages.filter((p) => needed.has(p.json.name))) {
  const out = sh('pnpm', ['pack', '--pack-destination', tarballDir], pkg.dir)
    .trim()
    .split('\n')
    .pop();
  tarballs.set(pkg.json.name, out);
  console.log(`packed ${pkg.json.name} → ${out}`);
  sh('pnpm', ['exec', 'publint', '--strict', pkg.dir], root);
}

let failures = 0;
for (const pkg of checked) {
  const name = pkg.json.name;
  const project = join(work, name.replace('/', '__'));
  mkdirSync(project);
  const internal = [...kdkitDeps(name)];
  const file = (n) => `file:${tarballs.get(n)}`;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'smoke',
      private: true,
      type: 'module',
      dependencies: { [name]: file(name) },
      overrides: Object.fromEntries(internal.map((n) => [n, file(n)])),
    }),
  );
  const smoke = SMOKE[name];
  try {
    if (!smoke) throw new Error(`no smoke call defined for ${name} in scripts/pack-check.mjs`);
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], project);
    writeFileSync(join(project, 'smoke.mjs'), smoke);
    const output = sh('node', ['smoke.mjs'], project).trim();
    console.log(`ok ${name}: ${output.split('\n').pop()}`);
  } catch (error) {
    failures++;
    console.error(`FAILED ${name}: ${error.message}`);
  }
}
rmSync(work, { recursive: true, force: true });
if (failures) {
  console.error(`${failures} package(s) failed to install and run alone`);
  process.exit(1);
}
console.log(`all ${checked.length} packages install and run alone`);
