#!/usr/bin/env node
// Builds csrc/kernels.c into the two .wasm variants (tfjs-wasm's memory is shared in its
// threaded build, plain otherwise) and src/simd/kernels-wasm.ts, which embeds them as base64
// so the package bundles in a browser without fetch.
//   node scripts/build-simd.mjs          rebuild and write the committed files
//   node scripts/build-simd.mjs --check  rebuild in a temp dir; fail if the committed files differ
// Needs clang (wasm32 target) and lld's wasm-ld; --check skips, saying so, only when clang is absent.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'csrc', 'kernels.c');
const outDir = join(root, 'src', 'simd');
const check = process.argv.includes('--check');

const COMMON = [
  '--target=wasm32',
  '-msimd128',
  '-mbulk-memory',
  '-O3',
  '-nostdlib',
  '-ffreestanding',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-Wl,--no-entry',
  '-Wl,--import-memory',
  '-Wl,--strip-debug',
];
const VARIANTS = {
  plain: [],
  shared: ['-matomics', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'],
};

function findClang() {
  for (const name of ['clang', 'clang-14', 'clang-15', 'clang-16']) {
    const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { name, version: probe.stdout.split('\n')[0].trim() };
  }
  return undefined;
}

/** Section ids of a wasm binary (LEB128 sizes). */
function sectionIds(bytes) {
  const ids = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    ids.push(id);
    at += size;
  }
  return ids;
}

const CUSTOM_SECTION = 0;
const DATA_SECTION = 11;
// Relocation types of the object file's code that reach a global (the shadow-stack pointer) or
// a function table: R_WASM_TABLE_INDEX_SLEB, _I32, R_WASM_GLOBAL_INDEX_LEB, _I32.
const GLOBAL_OR_TABLE_RELOCATIONS = new Set([1, 2, 7, 17]);

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** Relocation types in the object file's `reloc.CODE` section. */
function codeRelocationTypes(bytes) {
  const types = new Set();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = leb(bytes, at);
    const end = at + size;
    if (id === CUSTOM_SECTION) {
      let [nameLength, p] = leb(bytes, at);
      const name = Buffer.from(bytes.subarray(p, p + nameLength)).toString('utf8');
      p += nameLength;
      if (name === 'reloc.CODE') {
        let count;
        [, p] = leb(bytes, p); // target section index
        [count, p] = leb(bytes, p);
        for (let i = 0; i < count; i++) {
          const type = bytes[p++];
          types.add(type);
          [, p] = leb(bytes, p); // offset
          [, p] = leb(bytes, p); // index
          // Memory-address, function-offset and section-offset relocations carry an addend.
          if ([3, 4, 5, 8, 9, 11, 12, 14, 15].includes(type)) [, p] = leb(bytes, p);
        }
      }
    }
    at = end;
  }
  return types;
}

function compile(clang, variant, out) {
  const flags = [...COMMON, ...VARIANTS[variant]];
  // The module writes into tfjs's heap: static data or a shadow stack would write there too.
  // Checked on the object file, before the linker adds its own (unused) stack-pointer global and
  // function table, which some wasm-ld builds emit and others drop.
  const object = `${out}.o`;
  execFileSync(clang, [...flags.filter((f) => !f.startsWith('-Wl,')), '-c', '-o', object, source], {
    stdio: 'inherit',
  });
  const objectBytes = readFileSync(object);
  const used = [...codeRelocationTypes(objectBytes)].filter((t) =>
    GLOBAL_OR_TABLE_RELOCATIONS.has(t),
  );
  if (sectionIds(objectBytes).includes(DATA_SECTION) || used.length > 0) {
    throw new Error(
      `build-simd: ${variant} build has a data segment or uses a global or table (relocation types ${used.join(', ')}); keep csrc free of static data, address-taken locals and indirect calls`,
    );
  }
  rmSync(object);
  execFileSync(clang, [...flags, '-o', out, source], { stdio: 'inherit' });
  return readFileSync(out);
}

/** The wasm-ld clang links with, for the generated file's header. */
function linkerVersion() {
  const probe = spawnSync('wasm-ld', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.split('\n')[0].trim() : 'wasm-ld (version unknown)';
}

function generate(clang, dir) {
  const plain = compile(clang.name, 'plain', join(dir, 'kernels.wasm'));
  const shared = compile(clang.name, 'shared', join(dir, 'kernels-shared.wasm'));
  const sha = createHash('sha256').update(readFileSync(source)).digest('hex');
  const module = `// Generated by scripts/build-simd.mjs from csrc/kernels.c; do not edit.
// Compiler: ${clang.version}; linker: ${linkerVersion()}
// Source sha256: ${sha}
// Flags: ${COMMON.join(' ')}; shared adds ${VARIANTS.shared.join(' ')}

/** The kernels importing a plain \`env.memory\` (tfjs-wasm's single-threaded builds). */
export const KERNELS_WASM_BASE64 =
  '${plain.toString('base64')}';

/** The same code importing a shared \`env.memory\` (tfjs-wasm's threaded build). */
export const KERNELS_SHARED_WASM_BASE64 =
  '${shared.toString('base64')}';
`;
  writeFileSync(join(dir, 'kernels-wasm.ts'), module);
}

const FILES = ['kernels.wasm', 'kernels-shared.wasm', 'kernels-wasm.ts'];

const clang = findClang();
if (!clang) {
  const message = 'build-simd: clang not found (apt-get install clang lld)';
  if (check) {
    console.log(`${message}; SKIPPED the check that src/simd matches csrc`);
    process.exit(0);
  }
  console.error(message);
  process.exit(1);
}

if (!check) {
  generate(clang, outDir);
  console.log(`build-simd: wrote src/simd/{${FILES.join(',')}} with ${clang.version}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'kdkit-simd-'));
  try {
    generate(clang, dir);
    const stale = FILES.filter((file) => {
      let committed;
      try {
        committed = readFileSync(join(outDir, file));
      } catch {
        return true;
      }
      return !committed.equals(readFileSync(join(dir, file)));
    });
    if (stale.length > 0) {
      console.error(
        `build-simd --check: src/simd/${stale.join(', src/simd/')} differ from a rebuild of csrc/kernels.c with ${clang.version}; run \`pnpm --filter @kdkit/wasm-kernels build:simd\` and commit the result`,
      );
      process.exit(1);
    }
    console.log(`build-simd --check: src/simd matches csrc/kernels.c (${clang.version})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
