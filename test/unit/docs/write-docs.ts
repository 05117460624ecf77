// `npm run docs`: rewrites the generated blocks of docs/ (the directive reference, the error codes)
// from the code. Not a test: test/unit/docs/docs-in-step.test.ts fails until this has been run.
import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_BLOCKS, replaceGeneratedSection } from '../../../src/config/docs.js';
import { repoPath } from '../../helpers/paths.js';

for (const block of GENERATED_BLOCKS) {
  const path = repoPath(block.file);
  const before = readFileSync(path, 'utf8');
  const after = replaceGeneratedSection(before, block.marker, block.render());
  if (after === undefined) throw new Error(`${block.file} lacks the <!-- ${block.marker}:start/end --> markers`);
  if (after !== before) writeFileSync(path, after);
  process.stdout.write(`${block.file}: ${after === before ? 'current' : 'rewritten'}\n`);
}
