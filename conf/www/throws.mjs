// A script that throws: tsfpm answers 500, logs the stack, and the child keeps serving.
export default function () {
  throw new Error('this script fails on purpose');
}
