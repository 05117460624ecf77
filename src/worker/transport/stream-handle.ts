// The bare libuv stream handles (TCP or Pipe) a child accepts and serves without net.Socket: their
// shape, the binding that drives them, and whether this Node has them as expected. These handles are
// Node internals (process.binding('stream_wrap'), the API net.Socket itself is built on, stable since
// Node 12); isStreamHandleUsable() checks their shape and the child falls back to net.Socket when
// they are not what this code expects.
import { getSystemErrorName } from 'node:util';

/** A write the handle completes asynchronously (what the kernel did not take at once). */
export interface HandleRequest {
  handle: StreamHandle;
  oncomplete: (this: HandleRequest, status: number) => void;
  async?: boolean;
  /** Keeps the written buffers alive until the kernel has them. */
  chunks?: Buffer[];
  /** Called once the kernel has them (their buffers may then be reused). */
  written?: (() => void)[] | undefined;
  bytes?: number;
}

/** The methods of node's TCPWrap / PipeWrap (via LibuvStreamWrap and StreamBase) that are used here. */
export interface StreamHandle {
  onread: ((this: StreamHandle, arrayBuffer: ArrayBuffer | undefined) => void) | null;
  readStart(): number;
  readStop(): number;
  writeBuffer(request: HandleRequest, data: Buffer): number;
  writev(request: HandleRequest, chunks: Buffer[], allBuffers: true): number;
  close(callback?: () => void): void;
  setNoDelay?(on: boolean): number;
  getpeername?(out: { address?: string }): number;
}

/** A listening TCPWrap / PipeWrap: the child's copy of the master's bound socket. */
export interface ListeningHandle {
  onconnection: ((status: number, client: StreamHandle | undefined) => void) | null;
  listen(backlog: number): number;
  close(callback?: () => void): void;
}

export interface StreamWrapBinding {
  WriteWrap: new () => HandleRequest;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamWrapBinding | undefined {
  if (process.env['TSFPM_NET_SOCKETS'] === '1') return undefined; // forced fallback (tests, A/B runs)
  try {
    // process.binding is typed as returning any in @types/node; the shape is checked before use.
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding(
      'stream_wrap',
    );
    const ok =
      typeof binding.WriteWrap === 'function' &&
      binding.streamBaseState instanceof Int32Array &&
      typeof binding.kReadBytesOrError === 'number' &&
      typeof binding.kArrayBufferOffset === 'number' &&
      typeof binding.kLastWriteWasAsync === 'number';
    return ok ? (binding as StreamWrapBinding) : undefined;
  } catch {
    return undefined;
  }
}

/** The binding, or undefined when it is missing, not as expected, or TSFPM_NET_SOCKETS=1 asks for net.Socket. */
export const binding = loadBinding();

/** True when the child can accept on this handle and serve its connections without net.Socket. */
export function isStreamHandleUsable(listening: unknown): listening is ListeningHandle {
  return (
    binding !== undefined &&
    typeof listening === 'object' &&
    listening !== null &&
    'listen' in listening &&
    typeof listening.listen === 'function' &&
    // node's TCPWrap and PipeWrap classes: what the master binds and sends over IPC
    (listening.constructor.name === 'TCP' || listening.constructor.name === 'Pipe')
  );
}

/** An Error like the ones net.Socket reports for a failed system call (code, errno, syscall). */
export const osError = (code: number, syscall: string): Error => {
  let name: string;
  try {
    name = getSystemErrorName(code);
  } catch {
    name = `error ${code}`;
  }
  return Object.assign(new Error(`${syscall} ${name}`), { code: name, errno: code, syscall });
};
