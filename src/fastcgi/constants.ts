// FastCGI 1.0 protocol constants, named as in the specification.

export const FCGI_VERSION_1 = 1;
export const FCGI_HEADER_LEN = 8;
/** Largest content of one record (16-bit length field). */
export const FCGI_MAX_CONTENT_LEN = 0xffff;
/** Content size used when splitting output: a multiple of 8, so records need no padding. */
export const FCGI_OUTPUT_CHUNK_LEN = 0xfff8;
export const FCGI_NULL_REQUEST_ID = 0;

export const FCGI_BEGIN_REQUEST = 1;
export const FCGI_ABORT_REQUEST = 2;
export const FCGI_END_REQUEST = 3;
export const FCGI_PARAMS = 4;
export const FCGI_STDIN = 5;
export const FCGI_STDOUT = 6;
export const FCGI_STDERR = 7;
export const FCGI_DATA = 8;
export const FCGI_GET_VALUES = 9;
export const FCGI_GET_VALUES_RESULT = 10;
export const FCGI_UNKNOWN_TYPE = 11;

export const FCGI_KEEP_CONN = 1;

export const FCGI_RESPONDER = 1;
export const FCGI_AUTHORIZER = 2;
export const FCGI_FILTER = 3;

export const FCGI_REQUEST_COMPLETE = 0;
export const FCGI_CANT_MPX_CONN = 1;
export const FCGI_OVERLOADED = 2;
export const FCGI_UNKNOWN_ROLE = 3;

export const RECORD_TYPE_NAME: Readonly<Record<number, string>> = {
  [FCGI_BEGIN_REQUEST]: 'FCGI_BEGIN_REQUEST',
  [FCGI_ABORT_REQUEST]: 'FCGI_ABORT_REQUEST',
  [FCGI_END_REQUEST]: 'FCGI_END_REQUEST',
  [FCGI_PARAMS]: 'FCGI_PARAMS',
  [FCGI_STDIN]: 'FCGI_STDIN',
  [FCGI_STDOUT]: 'FCGI_STDOUT',
  [FCGI_STDERR]: 'FCGI_STDERR',
  [FCGI_DATA]: 'FCGI_DATA',
  [FCGI_GET_VALUES]: 'FCGI_GET_VALUES',
  [FCGI_GET_VALUES_RESULT]: 'FCGI_GET_VALUES_RESULT',
  [FCGI_UNKNOWN_TYPE]: 'FCGI_UNKNOWN_TYPE',
};

export function recordTypeName(type: number): string {
  return RECORD_TYPE_NAME[type] ?? `type ${type}`;
}
