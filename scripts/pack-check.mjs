// Packs every public package and the CLI (`kdkit`), runs publint and attw (are the types wrong?) on it, checks that the tarball
// holds no tests or build logs, then installs each tarball ALONE into a fresh
// project outside the workspace (with only the tarballs of its kdkit dependencies, and its peers
// from the registry) and calls one real function. This is what a user who installs a single
// package from npm gets.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transformSync } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'kdkit-pack-'));
const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);

// One real call per package, run in the fresh project.
const SMOKE = {
  '@kdkit/engine': `
    const { SeededRandom, KdkitError } = await import('@kdkit/engine');
    const { writeFileAtomically } = await import('@kdkit/engine/node');
    await writeFileAtomically('out/f.txt', 'ok');
    if (!(new KdkitError('INVALID_ARGUMENT', 'x') instanceof Error)) throw new Error('KdkitError');
    console.log('rng', new SeededRandom(1).nextUint32());`,
  '@kdkit/backend': `
    const tf = await import('@tensorflow/tfjs-core');
    const { initBackend } = await import('@kdkit/backend');
    const info = await initBackend('auto');
    if (info.name !== 'wasm') throw new Error('expected wasm, got ' + info.name);
    // Gradients with bare tfjs-core: d/dx x² = 2x.
    console.log('grad', tf.grad((x) => tf.mul(x, x))(tf.scalar(3)).dataSync()[0]);`,
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
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { softCrossEntropy } = await import('@kdkit/losses');
    const loss = softCrossEntropy({ student: tf.tensor2d([[3, 2, 1]]), teacher: tf.tensor2d([[1, 2, 3]]) }, { temperature: 2 });
    console.log('soft CE', loss.dataSync()[0]);`,
  '@kdkit/datasets': `
    const { loadFashionMnistMini } = await import('@kdkit/datasets/node');
    const ds = await loadFashionMnistMini({ split: 'test' });
    console.log('mini test size', ds.size, ds.shape);`,
  '@kdkit/models': `
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    const { createModel } = await import('@kdkit/models');
    const model = createModel('cnn-student', { seed: 1 });
    console.log('cnn-student params', model.countParams());`,
  '@kdkit/trainers': `
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    const { evaluate } = await import('@kdkit/trainers');
    const { createModel } = await import('@kdkit/models');
    const { loadFashionMnistMini } = await import('@kdkit/datasets/node');
    const test = await loadFashionMnistMini({ split: 'test' });
    const result = await evaluate(createModel('cnn-student', { seed: 1 }), test, { batchSize: 256 });
    console.log('untrained accuracy', result.accuracy);`,
  '@kdkit/pretrained': `
    await import('@tensorflow/tfjs-backend-wasm');
    const tf = await import('@tensorflow/tfjs-core');
    await tf.setBackend('wasm');
    const { listPretrained, pretrained } = await import('@kdkit/pretrained/node');
    const shipped = await listPretrained();
    if (shipped.length === 0) throw new Error('the tarball ships no pretrained teacher');
    const error = await pretrained('nosuch', 'fashion-mnist').then(() => undefined, (e) => e);
    if (error?.code !== 'UNKNOWN_NAME') throw error ?? new Error('expected UNKNOWN_NAME');
    // Each shipped teacher loads from the tarball (SHA-256 checked) and gives logits.
    for (const entry of shipped) {
      const teacher = await pretrained(entry.model, entry.dataset);
      const logits = await teacher.logits(tf.zeros([2, ...entry.inputShape]));
      if (logits.shape.join() !== [2, entry.numClasses].join()) throw new Error(String(logits.shape));
      teacher.dispose();
    }
    console.log('shipped teachers', shipped.map((t) => t.id + ' ' + (t.testAccuracy * 100).toFixed(2) + '%').join(', '));`,
  '@kdkit/soft-targets': `
    const { parseShardSpec, shardRange } = await import('@kdkit/soft-targets');
    const ranges = [0, 1, 2, 3].map((i) => shardRange(10, parseShardSpec(i + '/4')));
    if (ranges.at(-1).end !== 10 || ranges[0].start !== 0) throw new Error(JSON.stringify(ranges));
    console.log('4 shards of 10 ids', JSON.stringify(ranges));`,
  kdkit: `
    const { execFileSync } = await import('node:child_process');
    const listed = execFileSync('node_modules/.bin/kdkit', ['list', 'datasets'], { encoding: 'utf8' });
    if (!listed.includes('fashion-mnist-mini')) throw new Error('kdkit list datasets: ' + listed);
    console.log('kdkit list datasets:', listed.trim().split('\\n').length, 'datasets');`,
  // onnxruntime-node is an optional peer (not installed here): the call says what to install.
  '@kdkit/onnx': `
    const { onnxTeacher } = await import('@kdkit/onnx');
    const error = await onnxTeacher(new Uint8Array([8, 7])).then(() => undefined, (e) => e);
    if (error?.code !== 'BACKEND_UNAVAILABLE') throw error ?? new Error('expected BACKEND_UNAVAILABLE');
    console.log('without onnxruntime-node:', error.message);`,
  '@kdkit/experiments': `
    const experiments = await import('@kdkit/experiments');
    if (typeof experiments.runTriplet !== 'function') throw new Error('runTriplet missing');
    console.log('exports', Object.keys(experiments).join(', '));`,
};

// Packages whose smoke follows their README to the letter: the project installs exactly the
// README's `npm i` line (kdkit packages from the tarballs, tfjs from the registry) and runs the
// README's first ```ts block verbatim (types stripped by esbuild), checking its `// Prints:` lines.
const README_SMOKE = { '@kdkit/losses': 'packages/losses/README.md' };
const TFJS_VERSION = '4.22.0';

function readmeExample(path) {
  const markdown = readFileSync(join(root, path), 'utf8');
  const install = /^npm i (.+)$/m.exec(markdown)?.[1]?.trim().split(/\s+/);
  const code = /^```ts\n([\s\S]*?)^```$/m.exec(markdown)?.[1];
  if (!install || code === undefined)
    throw new Error(`${path}: no 'npm i' line or no \`\`\`ts block`);
  const prints = /\/\/ Prints:\n((?:\/\/.*\n)+)$/
    .exec(code)?.[1]
    ?.replace(/^\/\/ ?/gm, '')
    .trim();
  const js = transformSync(code, { loader: 'ts', format: 'esm', target: 'node20' }).code;
  return { install, js, prints };
}
const readmeExamples = Object.fromEntries(
  Object.entries(README_SMOKE).map(([name, path]) => [name, readmeExample(path)]),
);

// Backends are optional peers: the smoke project installs the one its call uses.
const WASM = { '@tensorflow/tfjs-backend-wasm': '4.22.0' };
const EXTRA_DEPS = {
  '@kdkit/backend': WASM,
  '@kdkit/wasm-kernels': WASM,
  '@kdkit/models': WASM,
  '@kdkit/trainers': WASM,
  '@kdkit/pretrained': WASM,
};

const sh = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const packages = [
  ...readdirSync(join(root, 'packages')).map((dir) => join(root, 'packages', dir)),
  join(root, 'apps', 'cli'),
]
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.json.private);
// Nothing but the build and the package's own files ships: no tests, fixtures or build logs.
const UNSHIPPABLE = /\.test\.|(^|\/)(test|tests|__tests__|fixtures)\/|\.log$|\.tsbuildinfo$/;
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

const withDeps = (name) => [name, ...kdkitDeps(name)];
const readmeKdkit = (name) =>
  (readmeExamples[name]?.install ?? []).filter((n) => n.startsWith('@kdkit/') && n !== name);
const needed = new Set(
  checked.flatMap((p) => [p.json.name, ...readmeKdkit(p.json.name)].flatMap(withDeps)),
);
const tarballs = new Map();
for (const pkg of packages.filter((p) => needed.has(p.json.name))) {
  const out = sh('pnpm', ['pack', '--pack-destination', tarballDir], pkg.dir)
    .trim()
    .split('\n')
    .pop();
  tarballs.set(pkg.json.name, out);
  console.log(`packed ${pkg.json.name} → ${out}`);
  const shipped = sh('tar', ['-tzf', out], root).trim().split('\n');
  const unshippable = shipped.filter((file) => UNSHIPPABLE.test(file));
  if (unshippable.length > 0) {
    throw new Error(`${pkg.json.name}: the tarball ships ${unshippable.join(', ')}`);
  }
  if (!shipped.includes('package/LICENSE')) throw new Error(`${pkg.json.name}: no LICENSE`);
  sh('pnpm', ['exec', 'publint', '--strict', pkg.dir], root);
  // ESM-only packages: the esm-only profile skips the CommonJS-consumer checks. The CLI has no
  // importable entry (only a bin).
  if (pkg.json.exports) {
    sh('pnpm', ['exec', 'attw', out, '--profile', 'esm-only', '--format', 'ascii'], root);
  }
}

let failures = 0;
for (const pkg of checked) {
  const name = pkg.json.name;
  const project = join(work, name.replace('/', '__'));
  mkdirSync(project);
  const readme = readmeExamples[name];
  const internal = [...new Set([name, ...readmeKdkit(name)].flatMap(withDeps))].filter(
    (n) => n !== name,
  );
  const file = (n) => `file:${tarballs.get(n)}`;
  const readmeDeps = readme
    ? Object.fromEntries(
        readme.install.map((n) => {
          if (n.startsWith('@kdkit/')) return [n, file(n)];
          if (n.startsWith('@tensorflow/')) return [n, TFJS_VERSION];
          throw new Error(`${name}: README installs ${n}; pack-check knows no version for it`);
        }),
      )
    : undefined;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'smoke',
      private: true,
      type: 'module',
      dependencies: readmeDeps ?? { [name]: file(name), ...EXTRA_DEPS[name] },
      overrides: Object.fromEntries(internal.map((n) => [n, file(n)])),
    }),
  );
  const smoke = SMOKE[name];
  try {
    if (!smoke) throw new Error(`no smoke call defined for ${name} in scripts/pack-check.mjs`);
    // The CLI's optional tfjs-node would download a native build; wasm is enough for the smoke.
    const omit = name === 'kdkit' ? ['--omit=optional'] : [];
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...omit], project);
    writeFileSync(join(project, 'smoke.mjs'), smoke);
    const output = sh('node', ['smoke.mjs'], project).trim();
    console.log(`ok ${name}: ${output.split('\n').pop()}`);
    if (readme) {
      writeFileSync(join(project, 'readme-example.mjs'), readme.js);
      const printed = sh('node', ['readme-example.mjs'], project).trim();
      if (readme.prints !== undefined && printed !== readme.prints) {
        throw new Error(`README example printed\n${printed}\ninstead of\n${readme.prints}`);
      }
      console.log(`ok ${name} README example, installed as its README says: ${printed}`);
    }
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
