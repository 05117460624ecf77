// Express moves every req and res onto the app's own prototypes (`Object.setPrototypeOf` in
// app.handle). After that switch V8 keeps the request's whole object graph through young-generation
// GCs until a full one: 400+ KB promoted per scavenge, about half an Express request's CPU (docs/performance.md,
// "Express in node mode"). When http.Server builds req and res on those prototypes to begin with, the switch is
// a no-op: V8 returns early when the prototype is already the one asked for.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface AppPrototypes {
  readonly request: object;
  readonly response: object;
}

/** Node's constructors can be called as functions (true up to Node 24); a future class could not. */
const canBuildOnAppPrototypes = ![IncomingMessage, ServerResponse].some((made) =>
  /^class\b/.test(Function.prototype.toString.call(made)),
);

/** The app's `request`/`response` prototypes, when it has them (Express 4 and 5 do). */
export function appPrototypes(app: unknown): AppPrototypes | undefined {
  if (!canBuildOnAppPrototypes) return undefined;
  if (typeof app !== 'function' && (typeof app !== 'object' || app === null)) return undefined;
  const { request, response } = app as { request?: unknown; response?: unknown };
  if (typeof request !== 'object' || request === null || typeof response !== 'object' || response === null)
    return undefined;
  // Only prototypes that still lead to Node's own classes: anything else would break http.Server.
  if (!(request instanceof IncomingMessage) || !(response instanceof ServerResponse)) return undefined;
  return { request, response };
}

/**
 * Constructors for http.Server's IncomingMessage/ServerResponse options whose instances are born on
 * the app's prototypes. They call Node's constructors as plain functions (both are ES5-style
 * functions, not classes); `Reflect.construct` with a foreign new.target measured 3× slower.
 */
export function serverClasses(prototypes: AppPrototypes): {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
} {
  // this: the object `new` made from AppRequest.prototype (the app's request prototype).
  function AppRequest(this: IncomingMessage, socket: Socket): void {
    IncomingMessage.call(this, socket);
  }
  AppRequest.prototype = prototypes.request;
  function AppResponse(this: ServerResponse, req: IncomingMessage, options?: object): void {
    // Node passes options (highWaterMark …) that @types/node's signature leaves out.
    (ServerResponse as unknown as (this: ServerResponse, ...args: unknown[]) => void).call(this, req, options);
  }
  AppResponse.prototype = prototypes.response;
  // Typed as the classes they stand in for: http.Server only ever calls them with `new`.
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
  };
}
