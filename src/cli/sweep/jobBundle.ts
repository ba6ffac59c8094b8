/**
 * The job processes' code as a bundle: a forked job process (`hft worker --concurrency N`, `hft sweep
 * --local N`) spends most of its start-up resolving and loading ~130 TypeScript modules one by one
 * through tsx's loader thread (2.2-2.6 s CPU per process measured on the 2-core bench machine, all of it
 * serial time of a sweep); the same code bundled into a few ES modules loads in ~0.9 s.
 *
 * Built from jobMain.ts by the esbuild tsx transpiles with: the sources inlined, packages left to
 * Node (`packages: 'external'`), dynamic imports kept lazy (code splitting), each module's
 * `import.meta.url` / `import.meta.dirname` replaced by its source file's own, so paths resolve as
 * from the sources. Cached under node_modules/.cache/hft-job-bundle/<hash>: the hash covers every file
 * under src/ and the esbuild version, so an edited source gets a new bundle. Source maps are written
 * beside the chunks (NODE_OPTIONS=--enable-source-maps maps a stack trace back; off by default: it
 * costs start-up). HFT_JOB_BUNDLE=0 runs the job processes from the sources instead (workerEntry.mjs).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import { WORKER_ENTRY } from './jobProcesses.ts';

const SRC = fileURLToPath(new URL('../../', import.meta.url));
const ROOT = dirname(SRC);
const JOB_MAIN = fileURLToPath(new URL('./jobMain.ts', import.meta.url));
/** Raised when the way the bundle is built changes, so older bundles are not reused. */
const BUILD_FORMAT = 1;

function hashSources(esbuildVersion: string): string {
  const h = createHash('sha256').update(`${BUILD_FORMAT}\0${esbuildVersion}\0`);
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(relative(SRC, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(SRC);
  return h.digest('hex').slice(0, 16);
}

/** Path of the bundle's entry (built now if this source version has none yet). */
export async function buildJobBundle(cacheDir = join(ROOT, 'node_modules/.cache/hft-job-bundle')): Promise<string> {
  // The esbuild tsx itself depends on (not a dependency of this package of its own).
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx'))('esbuild') as typeof Esbuild;
  const dir = join(cacheDir, hashSources(esbuild.version));
  const entry = join(dir, 'jobMain.js');
  if (existsSync(entry)) return entry;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { jobMain: JOB_MAIN }, outdir: tmp, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    packages: 'external', chunkNames: 'chunk-[hash]', sourcemap: 'linked', logLevel: 'silent',
    plugins: [{
      name: 'source-import-meta',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, async (a) => {
          const text = (await readFile(a.path, 'utf8'))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(a.path)))
            .replaceAll('import.meta.filename', JSON.stringify(a.path))
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href));
          return { contents: text, loader: 'ts' };
        });
      },
    }],
  });
  // Two hosts building at once: the first rename wins, the other's copy is dropped.
  try { renameSync(tmp, dir); } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(entry)) throw e;
  }
  // Bundles of older sources: kept a day (a running job process may still load a lazy chunk of one).
  for (const old of readdirSync(cacheDir)) {
    const p = join(cacheDir, old);
    if (p !== dir && Date.now() - statSync(p).mtimeMs > 86_400_000) rmSync(p, { recursive: true, force: true });
  }
  return entry;
}

/**
 * The script a worker host forks for each job process: the bundle, or workerEntry.mjs (the sources
 * through tsx) with HFT_JOB_BUNDLE=0 or when the bundle cannot be built (the reason is logged).
 */
export async function jobProcessEntry(io: { readonly env: Readonly<Record<string, string | undefined>>; readonly err: (line: string) => void }): Promise<string> {
  if (io.env.HFT_JOB_BUNDLE === '0') return WORKER_ENTRY;
  try {
    return await buildJobBundle();
  } catch (e) {
    io.err(`worker: no bundle of the job code (${(e as Error).message.split('\n')[0]}): job processes load the TypeScript sources`);
    return WORKER_ENTRY;
  }
}
