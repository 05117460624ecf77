// `node dist/src/build/bundle-children.js`, after `tsc -p .` (npm run build): writes the child bundle
// (src/build/child-bundle.ts) from dist/src into dist/bundle/worker/.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHILD_BUNDLE_DIR, childBundleOptions } from './child-bundle.js';

/** dist/src/build → dist. */
const DIST = fileURLToPath(new URL('../../', import.meta.url));

// A stale chunk of an earlier build must not linger next to the new ones.
rmSync(new URL(`../../${CHILD_BUNDLE_DIR}`, import.meta.url), { recursive: true, force: true });
const result = await build(childBundleOptions(DIST));
const inputs = Object.keys(result.metafile.inputs).length;
const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js')).length;
process.stdout.write(`child bundle: ${inputs} modules → ${outputs} files in dist/${CHILD_BUNDLE_DIR}\n`);
