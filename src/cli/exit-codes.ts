// The command's exit statuses: they live in src/exit-codes.ts, which the master shares.
export { EXIT_CONFIG, EXIT_OK, EXIT_SOFTWARE, EXIT_USAGE } from '../exit-codes.js';
