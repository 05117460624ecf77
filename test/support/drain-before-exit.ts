// Preloaded into the test runner and every test file (`node --import … --test`). With
// --test-force-exit, node 20's runner calls process.exit() while the last test events can still be
// on their way to the parent through the child's stdout pipe, and their verdicts are then missing
// from the report (nodejs/node#64833: the run keeps the exit code, but the counts shrink). Here
// process.exit lets stdout drain and the event loop turn once before the process really exits.
const exitNow = process.exit.bind(process);
let exiting = false;

process.exit = (code?: number | string | null) => {
  if (exiting) return exitNow(code);
  exiting = true;
  if (code !== undefined && code !== null) process.exitCode = code;
  const finish = (): void => {
    setImmediate(() => exitNow());
  };
  if (process.stdout.writableLength > 0) process.stdout.once('drain', finish);
  else setImmediate(finish);
  // Unlike the real one, this returns: the runner's force-exit path ends with the call.
  return undefined as never;
};
