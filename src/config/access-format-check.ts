// Config-time check of access.format tokens (sapi/fpm/fpm/fpm_log.c fpm_log_write() in its test mode).
// Only validates: the format compiler that writes lines lives in src/log/access-log.ts.
// Returns php-fpm's text for the first problem, or undefined when the format is valid.

const MODIFIERS: Readonly<Record<string, { list: readonly string[]; text: string }>> = {
  C: { list: ['total', 'user', 'system'], text: "only 'total', 'user' or 'system' are allowed as a modifier for %C" },
  d: {
    list: ['seconds', 'milli', 'milliseconds', 'miliseconds', 'mili', 'micro', 'microseconds'],
    text: "only 'seconds', 'milli', 'milliseconds', 'micro' or 'microseconds' are allowed as a modifier for %d",
  },
  M: {
    list: ['bytes', 'kilo', 'kilobytes', 'mega', 'megabytes'],
    text: "only 'bytes', 'kilo', 'kilobytes', 'mega' or 'megabytes' are allowed as a modifier for %M",
  },
};
/** Tokens that require a {name}. */
const NAME_REQUIRED: Readonly<Record<string, string>> = {
  e: 'the name of the environment variable must be set between embraces for %e',
  o: 'the name of the header must be set between embraces for %o',
};
/** Tokens that take a free {argument} (strftime format). */
const FREE_ARG = new Set(['t', 'T']);
/** Tokens that take no {argument}. */
const PLAIN = new Set(['%', 'f', 'l', 'm', 'n', 'p', 'P', 'q', 'Q', 'r', 'R', 's', 'u']);

export function checkAccessFormat(format: string): string | undefined {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    let j = i + 1;
    let arg: string | undefined;
    if (format[j] === '{') {
      const close = format.indexOf('}', j + 1);
      if (close < 0) return 'missing closing embrace in the access.format';
      arg = format.slice(j + 1, close);
      j = close + 1;
    }
    const token = format[j];
    if (token === undefined) return 'Invalid token in the access.format (%)';
    const modifiers = MODIFIERS[token];
    if (modifiers) {
      if (arg !== undefined && !modifiers.list.includes(arg)) return `${modifiers.text} ('${arg}')`;
    } else if (NAME_REQUIRED[token] !== undefined) {
      if (arg === undefined || arg === '') return NAME_REQUIRED[token];
    } else if (FREE_ARG.has(token)) {
      // any strftime format is accepted
    } else if (PLAIN.has(token)) {
      if (arg !== undefined) return `embrace is not allowed for modifier %${token}`;
    } else {
      return `Invalid token in the access.format (%${token})`;
    }
    i = j;
  }
  return undefined;
}
