// What crosses between a child's main thread and its script threads (structured clone; the body
// bytes are transferred, not copied).
import type { HandlerMode } from '../../config/types.js';
import type { ErrorCode } from '../../errors.js';

export interface ThreadTask {
  readonly path: string;
  readonly mtimeMs: number;
  readonly mode: HandlerMode;
  readonly params: Record<string, string>;
  /** The whole request body (threads mode does not stream). */
  readonly body: Uint8Array | null;
  readonly env: Record<string, string>;
  readonly pool: string;
}

export type ThreadLogLine = readonly ['error' | 'warning' | 'notice' | 'debug', string];

export type ThreadResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly statusText: string;
      readonly headers: [string, string][];
      readonly body: Uint8Array | null;
      readonly logs: ThreadLogLine[];
    }
  /** `code`: the TsfpmError code the failure carried (an error's class does not survive the thread boundary). */
  | {
      readonly ok: false;
      readonly error: string;
      readonly code: ErrorCode | undefined;
      readonly logs: ThreadLogLine[];
    };
