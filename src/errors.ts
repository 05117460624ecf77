// Every error code tsfpm can report, in one list: docs and tests enumerate it.
// Codes are a user contract: never reuse or rename one.

export const ERROR_CODES = {
  TSFPM_ERR_CONF_SYNTAX: 'a configuration line cannot be parsed',
  TSFPM_ERR_CONF_UNKNOWN_ENTRY: 'a configuration directive is not known',
  TSFPM_ERR_CONF_BAD_VALUE: 'a configuration value has the wrong type or range',
  TSFPM_ERR_CONF_INVALID: 'the configuration as a whole is inconsistent',
  TSFPM_ERR_CONF_INCLUDE: 'an include pattern cannot be expanded or loaded',
  TSFPM_ERR_CONF_OPEN: 'the configuration file cannot be read',
  TSFPM_ERR_FCGI_BAD_VERSION: 'a FastCGI record has a version byte other than 1',
  TSFPM_ERR_FCGI_BAD_RECORD: 'a FastCGI record is malformed (bad length, bad body)',
  TSFPM_ERR_FCGI_UNEXPECTED_RECORD: 'a FastCGI record arrived where the protocol does not allow it',
  TSFPM_ERR_FCGI_PARAMS_TOO_LARGE: 'the PARAMS stream of a request exceeds its cap',
  TSFPM_ERR_FCGI_BAD_PARAMS: 'a name-value pair in PARAMS is malformed',
  TSFPM_ERR_FCGI_BODY_TOO_LARGE: 'the request body exceeds its cap',
  TSFPM_ERR_FCGI_BODY_TRUNCATED: 'the request body ended before CONTENT_LENGTH bytes arrived',
  TSFPM_ERR_FCGI_TIMEOUT: 'a FastCGI client was idle or too slow',
  TSFPM_ERR_SCRIPT_NOT_FOUND: 'the script named by SCRIPT_FILENAME does not exist',
  TSFPM_ERR_SCRIPT_DENIED: 'the script is not allowed (security.limit_extensions, script_root, permissions)',
  TSFPM_ERR_SCRIPT_BAD_EXPORT: 'the script module does not export a usable handler',
  TSFPM_ERR_SCRIPT_THREW: 'the script threw or rejected',
  TSFPM_ERR_SCRIPT_TIMEOUT: 'the script ran past request_terminate_timeout',
  TSFPM_ERR_SCRIPT_BAD_RESPONSE:
    'the script answered with something that is not a response (not a Response, no or a malformed CGI head)',
  TSFPM_ERR_STARTUP: 'the daemon could not start (bind, privileges, pid file)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TsfpmError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TsfpmError';
    this.code = code;
  }
}

/** A FastCGI protocol violation; the connection that produced it is closed. */
export class ProtocolError extends TsfpmError {
  readonly recordType: number | undefined;
  readonly requestId: number | undefined;
  constructor(code: ErrorCode, message: string, where: { recordType?: number; requestId?: number } = {}) {
    super(code, message);
    this.name = 'ProtocolError';
    this.recordType = where.recordType;
    this.requestId = where.requestId;
  }
}

/** A log message that carries its code, in the shape every coded line has: `CODE: message`. */
export function codedMessage(code: ErrorCode, message: string): string {
  return `${code}: ${message}`;
}

/**
 * A failure for a log line, as `CODE: text`: a TsfpmError's own code and message; any other thrown
 * value gets `fallback` and its stack (the script's own error: where it came from matters).
 */
export function describeCoded(err: unknown, fallback: ErrorCode): string {
  if (err instanceof TsfpmError) return codedMessage(err.code, err.message);
  return codedMessage(fallback, describeError(err));
}

/** Text of an unknown thrown value, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
