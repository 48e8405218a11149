// Serves (dev) and copies (build) the pretrained teachers of packages/pretrained/weights/<id>/
// under pretrained/<id>/, with pretrained/manifest.json listing them for the page.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Plugin } from 'vite';
import type { PretrainedManifest, PretrainedTeacher } from '../src/manifest.js';

const MANIFEST = 'pretrained/manifest.json';

function describe(dir: string, id: string): PretrainedTeacher | undefined {
  const files = readdirSync(join(dir, id));
  const bytes = files.reduce((sum, name) => sum + statSync(join(dir, id, name)).size, 0);
  if (files.includes('model.json')) {
    const json = JSON.parse(readFileSync(join(dir, id, 'model.json'), 'utf8')) as {
      userDefinedMetadata?: { kdkit?: Record<string, unknown> };
    };
    const meta = json.userDefinedMetadata?.kdkit ?? {};
    return {
      id,
      format: 'tfjs',
      path: `pretrained/${id}/model.json`,
      bytes,
      ...(typeof meta['zooName'] === 'string' ? { model: meta['zooName'] } : {}),
      ...(typeof meta['dataset'] === 'string' ? { dataset: meta['dataset'] } : {}),
      ...(typeof meta['accuracy'] === 'number' ? { accuracy: meta['accuracy'] } : {}),
    };
  }
  const onnx = files.find((name) => extname(name) === '.onnx');
  return onnx ? { id, format: 'onnx', path: `pretrained/${id}/${onnx}`, bytes } : undefined;
}

/** The teachers found in `dir` (one subdirectory each); none when `dir` does not exist yet. */
export function readPretrainedManifest(dir: string): PretrainedManifest {
  if (!existsSync(dir)) return { teachers: [] };
  const ids = readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory());
  const teachers = ids
    .sort()
    .map((id) => describe(dir, id))
    .filter((t): t is PretrainedTeacher => t !== undefined);
  return { teachers };
}

/** A Vite plugin publishing the pretrained teachers in `dir` as static assets. */
export function pretrainedTeachers(dir: string): Plugin {
  return {
    name: 'kdkit-pretrained-teachers',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        if (url === `/${MANIFEST}`) {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(readPretrainedManifest(dir)));
          return;
        }
        const match = /^\/pretrained\/([\w.-]+)\/([\w.-]+)$/.exec(url);
        const file = match ? join(dir, match[1] ?? '', match[2] ?? '') : undefined;
        if (!file || !existsSync(file)) return next();
        res.setHeader(
          'Content-Type',
          file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        );
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      const manifest = readPretrainedManifest(dir);
      for (const teacher of manifest.teachers) {
        for (const name of readdirSync(join(dir, teacher.id))) {
          this.emitFile({
            type: 'asset',
            fileName: `pretrained/${teacher.id}/${name}`,
            source: readFileSync(join(dir, teacher.id, name)),
          });
        }
      }
      this.emitFile({
        type: 'asset',
        fileName: MANIFEST,
        source: JSON.stringify(manifest, null, 2),
      });
    },
  };
}
