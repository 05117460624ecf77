// A spare child becomes a pool's child: the working directory and the whole environment a fork
// would have given it (src/master/spare-fit.ts spareAssignment()). Called from 'init' before the
// pool's logs are opened and its user and group are taken (privileges.ts), so nothing of the pool's
// code ever runs with the spare's identity.
export interface Assignment {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export function assumeAssignment(assignment: Assignment): void {
  process.chdir(assignment.cwd);
  // Wholesale: variables the spare had and the pool's children must not see go first.
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, assignment.env);
}
