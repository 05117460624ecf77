// The child bundle: a pool child (src/worker/main.ts) and a spare (src/worker/spare.ts) load tsfpm's code
// from a few esbuild output files in dist/bundle/worker/ instead of ~90 ES modules one by one (each one
// resolved, read, realpath'd and compiled on its own), which is most of a child's start after Node's own.
// Input is tsc's output (dist/src), so the bundle runs exactly the code the unbundled entries run.
// - Code splitting: what a child imports lazily today (CGI runner, threads executor, status page) stays a
//   separate chunk that loads when first needed.
// - Packages (tsx, esbuild, tinypool, pino, ...) stay external: resolved from node_modules as before.
// - import.meta.url: every bundled module keeps its own location (keepModuleLocations below), so the files
//   it names next to itself (loader hooks, thread entries) are the same dist/src files as unbundled.
// - Threads (tinypool's thread task, the slowlog thread, the loader hooks) are not bundled: each loads
//   ~2-9 modules in its own thread, off a child's start.
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/** Where the bundle goes, relative to dist/ (src/master/spawn-child.ts looks for its entries there). */
export const CHILD_BUNDLE_DIR = join('bundle', 'worker');

/** The entries (under dist/src/) that start a child process; each becomes `<name>.js` in the bundle. */
export const CHILD_ENTRIES: Readonly<Record<string, string>> = {
  main: join('worker', 'main.js'),
  spare: join('worker', 'spare.js'),
};

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;

/**
 * Rewrites `import.meta.url` in each module under `sourceRoot` to the URL of that module's own file,
 * written relative to the output directory: every output file (entries and chunks) lies directly in
 * `outdir`, so the one relative path holds whichever file the module's code lands in.
 */
export function keepModuleLocations(sourceRoot: string, outdir: string): Plugin {
  return {
    name: 'tsfpm-keep-module-locations',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async (args) => {
        if (relative(sourceRoot, args.path).startsWith('..')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const fromOutput = relative(outdir, args.path).split(sep).join('/');
        const own = `new URL(${JSON.stringify(fromOutput)}, import.meta.url).href`;
        return { contents: text.replace(IMPORT_META_URL, own), loader: 'js' };
      });
    },
  };
}

/** esbuild's options for the child bundle of the build in `distDir` (tsc's outDir). */
export function childBundleOptions(distDir: string): BuildOptions & { metafile: true } {
  const sourceRoot = join(distDir, 'src');
  const outdir = join(distDir, CHILD_BUNDLE_DIR);
  return {
    entryPoints: Object.entries(CHILD_ENTRIES).map(([out, entry]) => ({ in: join(sourceRoot, entry), out })),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    // Scope hoisting renames a function that shares its name with another module's (answer → answer2):
    // keepNames gives each its own name back, for stack traces. Not minified: measured, a minified
    // bundle started no faster (spare boot within 2 ms), and unminified chunks read as the sources do.
    keepNames: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [keepModuleLocations(sourceRoot, outdir)],
  };
}
