// Module hooks (module.register) that make a script an ES module wherever its file lives. Node reads
// a `.js` file (and tsx a `.ts` file) as CommonJS unless the nearest package.json says
// "type": "module", so `export default { fetch }` in a folder without one failed with a SyntaxError.
// Here a `.js`/`.jsx`/`.ts`/`.tsx` file outside node_modules that Node would load as CommonJS is
// loaded as an ES module when its own syntax says so (an import or export statement, import.meta);
// a file that only assigns `module.exports`/`exports.x` stays CommonJS. Packages under node_modules
// keep Node's rules. Registered before tsx's hooks, so tsx strips the types of the module it gets.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectScriptFormat } from './script-format.js';

interface LoadContext {
  readonly format?: string | null | undefined;
}
interface LoadResult {
  format?: string | null | undefined;
  source?: string | ArrayBuffer | Uint8Array | null | undefined;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const EXTENSIONS = /\.(?:js|jsx|ts|tsx)$/;
const COMMONJS_FORMATS = new Set(['commonjs', 'commonjs-typescript']);

function candidate(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = fileURLToPath(url);
  if (!EXTENSIONS.test(path) || path.includes('/node_modules/')) return undefined;
  return path;
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (!COMMONJS_FORMATS.has(result.format ?? '')) return result;
  const path = candidate(url);
  if (path === undefined) return result;
  const source = result.source ?? readFileSync(path);
  const text = typeof source === 'string' ? source : Buffer.from(source as Uint8Array).toString('utf8');
  if (detectScriptFormat(text) !== 'module') return result;
  return { format: 'module', source: text, shortCircuit: true };
}
