// Serves (dev) and copies (build) @kdkit/pretrained's own manifest.json and the weight files it
// lists, under pretrained/ (pretrained/manifest.json, pretrained/weights/<id>/…): the page loads
// them with @kdkit/pretrained's pretrained(), which checks every file's SHA-256.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PretrainedManifest } from '@kdkit/pretrained';
import type { Plugin } from 'vite';
import { PRETRAINED_BASE } from '../src/paths.js';

const NONE: PretrainedManifest = { format: 'kdkit-pretrained/1', teachers: [] };

export interface ShippedTeachers {
  /** manifest.json as served: the package's own bytes, or an empty manifest when it has none. */
  readonly manifest: Uint8Array;
  /** Paths (under the package folder) of every weight file the manifest lists. */
  readonly files: readonly string[];
}

/**
 * What to publish from `dir`, a folder laid out like @kdkit/pretrained (manifest.json,
 * weights/): its manifest as it is and the files it lists. Contents are not checked here; the
 * page checks each file's SHA-256 when it loads a teacher.
 */
export function shippedTeachers(dir: string): ShippedTeachers {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) {
    return { manifest: new TextEncoder().encode(JSON.stringify(NONE)), files: [] };
  }
  const manifest = readFileSync(path);
  let parsed: Partial<PretrainedManifest>;
  try {
    parsed = JSON.parse(manifest.toString('utf8')) as Partial<PretrainedManifest>;
  } catch (error) {
    throw new Error(`pretrained teachers: ${path} is not valid JSON`, { cause: error });
  }
  const files = (parsed.teachers ?? []).flatMap((t) => t.files.map((f) => `weights/${f.path}`));
  for (const file of files) {
    if (!existsSync(join(dir, file))) {
      throw new Error(
        `pretrained teachers: ${path} lists ${file}, which is missing from ${dir}; publish the teacher again (pnpm --filter @kdkit/pretrained publish-teacher)`,
      );
    }
  }
  return { manifest: new Uint8Array(manifest), files };
}

/** A Vite plugin publishing the pretrained teachers of `dir` under {@link PRETRAINED_BASE}. */
export function pretrainedTeachers(dir: string): Plugin {
  return {
    name: 'kdkit-pretrained-teachers',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        if (!url.startsWith(`/${PRETRAINED_BASE}`)) return next();
        const path = url.slice(PRETRAINED_BASE.length + 1);
        const shipped = shippedTeachers(dir);
        if (path === 'manifest.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(shipped.manifest);
          return;
        }
        if (!shipped.files.includes(path)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(readFileSync(join(dir, path)));
      });
    },
    generateBundle() {
      const { manifest, files } = shippedTeachers(dir);
      this.emitFile({
        type: 'asset',
        fileName: `${PRETRAINED_BASE}manifest.json`,
        source: manifest,
      });
      for (const file of files) {
        this.emitFile({
          type: 'asset',
          fileName: `${PRETRAINED_BASE}${file}`,
          source: readFileSync(join(dir, file)),
        });
      }
    },
  };
}
