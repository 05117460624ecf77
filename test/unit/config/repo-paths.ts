// Paths of the source tree seen from the compiled tests (dist/test/unit/config → repository root).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const repoPath = (...parts: string[]): string => resolve(REPO_ROOT, ...parts);
