// The php-fpm parity checks (what a drop-in replacement for php-fpm must do the same way), one module
// per group, run in one process so that the summary line below counts all of them; CI logs show it.
import { after } from 'node:test';
import { results } from './support.js';
import './config-and-cli.checks.js';
import './process-management.checks.js';
import './signals.checks.js';
import './status-and-ping.checks.js';
import './fastcgi-protocol.checks.js';
import './logs.checks.js';

after(() => {
  const todo = results.todo.length > 0 ? `, ${results.todo.length} todo: ${results.todo.join(' | ')}` : '';
  const failed = results.failed.length > 0 ? `: ${results.failed.join(' | ')}` : '';
  console.log(`php-fpm checks: ${results.passed.length} passed, ${results.failed.length} failed${failed}${todo}`);
});
