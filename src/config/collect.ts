// Applies the token stream to sections, the way fpm_conf_ini_parser_{section,entry,array} do:
// looks every name up in THE table, runs its typed setter, and remembers where each value came from
// so later checks can point at the line. Messages keep php-fpm's text and add what was expected and got.
import { ARRAY_DIRECTIVES, GLOBAL_DIRECTIVES, POOL_DIRECTIVES, findDirective, type Directive } from './directives.js';
import type { IniToken, SourcePos } from './ini-lexer.js';
import { closest, quote, type Located, type MessageSink } from './messages.js';
import { parseBool } from './value-types.js';

export interface Setting extends Located {
  readonly directive: Directive;
  readonly value: unknown;
  /** The value as written (after ${VAR} and $pool expansion), for messages. */
  readonly raw: string;
}

export interface ArrayItem extends Located {
  readonly directive: Directive;
  readonly key: string;
  readonly value: string;
}

export interface SectionDraft {
  /** 'global', or the pool name as first written. */
  readonly name: string;
  readonly isPool: boolean;
  /** Where the section was first opened (undefined for the implicit global section). */
  readonly opened: Located | undefined;
  /** Directive name → last setting (last definition wins, as in php-fpm). */
  readonly settings: Map<string, Setting>;
  readonly arrays: ArrayItem[];
  /** Directives whose line had an error: checks depending on them are skipped (no cascades). */
  readonly broken: Set<string>;
}

export interface Collected {
  readonly global: SectionDraft;
  readonly pools: SectionDraft[];
  /** A section header could not be read (its lines were skipped): "No pool defined" would be a cascade. */
  readonly skippedSection: boolean;
}

const newSection = (name: string, isPool: boolean, opened?: Located): SectionDraft => ({
  name,
  isPool,
  opened,
  settings: new Map(),
  arrays: [],
  broken: new Set(),
});

/** Candidates for "did you mean": the scope's scalar names (arrays get their own hint). */
const CANDIDATES: Readonly<Record<'global' | 'pool', readonly string[]>> = {
  global: [...GLOBAL_DIRECTIVES.values()].map((d) => d.name),
  pool: [...POOL_DIRECTIVES.values()].map((d) => d.name),
};

export class Collector {
  readonly global = newSection('global', false);
  readonly pools: SectionDraft[] = [];
  #current: SectionDraft = this.global;
  /** Under a section header that could not be read: entries are dropped without messages. */
  #skipping = false;
  #skippedSection = false;
  readonly #warned = new Set<string>();
  readonly #sink: MessageSink;

  constructor(sink: MessageSink) {
    this.#sink = sink;
  }

  result(): Collected {
    return { global: this.global, pools: this.pools, skippedSection: this.#skippedSection };
  }

  /** Returns false when the token produced an error. */
  visit = (token: IniToken): boolean => {
    if (token.kind === 'section') {
      this.#skipping = false;
      this.#openSection(token.name, token);
      return true;
    }
    // The header's own error was reported; its lines would only add "unknown entry" follow-ons.
    if (this.#skipping) return true;
    if (token.value === undefined) {
      const hint = token.name.startsWith('#')
        ? "; '#' does not start a comment in INI files (since PHP 7.0), use ';'"
        : `; expected '${token.name} = value'`;
      return this.#error(token, `value is NULL for a ZEND_INI_PARSER_ENTRY${hint}`, 'TSFPM_ERR_CONF_SYNTAX');
    }
    if (token.key !== undefined) return this.#array(token.name, token.key, token.value, token);
    return this.#scalar(token.name, token.value, token);
  };

  /** A line that set `name` failed to tokenize: treat the directive as broken in the current section. */
  markBroken = (name: string): void => {
    const section = this.#current;
    const d = findDirective(section.isPool ? 'pool' : 'global', name);
    if (d) section.broken.add(d.name);
  };

  /** A section header could not be read: skip the lines under it, up to the next header. */
  skipSection = (): void => {
    this.#skipping = true;
    this.#skippedSection = true;
  };

  #openSection(name: string, at: Located): void {
    if (name.toLowerCase() === 'global') {
      this.#current = this.global;
      return;
    }
    // A pool re-opened under any case continues the existing one (strcasecmp in php-fpm).
    const existing = this.pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (existing) {
      this.#current = existing;
      return;
    }
    const pool = newSection(name, true, { file: at.file, line: at.line });
    this.pools.push(pool);
    this.#current = pool;
  }

  #scalar(name: string, rawValue: string, at: SourcePos): boolean {
    const section = this.#current;
    const scope = section.isPool ? 'pool' : 'global';
    const directive = findDirective(scope, name);
    if (!directive) return this.#unknown(name, scope, at);
    let raw = rawValue;
    if (raw.includes('$pool')) {
      if (!section.isPool) {
        section.broken.add(directive.name);
        return this.#error(
          at,
          `unable to parse value for entry '${directive.name}': Can't use '$pool' when the pool is not defined`,
          'TSFPM_ERR_CONF_BAD_VALUE',
        );
      }
      if (directive.expandPool) raw = raw.replaceAll('$pool', section.name);
    }
    const parsed = directive.type.parse(raw);
    if (!parsed.ok) {
      section.broken.add(directive.name);
      return this.#error(
        at,
        `unable to parse value for entry '${directive.name}': ${parsed.error} (got ${quote(raw)}, expected ${directive.type.expected})`,
        'TSFPM_ERR_CONF_BAD_VALUE',
      );
    }
    for (const w of parsed.warnings ?? []) this.#sink.add('warning', `[${at.file}:${at.line}] ${w}`, at);
    section.broken.delete(directive.name); // a later good line repairs an earlier bad one
    section.settings.set(directive.name, { directive, value: parsed.value, raw, file: at.file, line: at.line });
    this.#warnIgnored(directive, directive.name, at);
    return true;
  }

  #array(name: string, key: string, rawValue: string, at: SourcePos): boolean {
    const section = this.#current;
    // Checks in fpm_conf_ini_parser_array's order.
    if (name === 'access.suppress_path') {
      let ok = true;
      if (key !== '')
        ok = this.#error(at, "Keys provided to field 'access.suppress_path' are ignored", 'TSFPM_ERR_CONF_BAD_VALUE');
      if (!rawValue.startsWith('/')) {
        ok = this.#error(
          at,
          `Values provided to field 'access.suppress_path' must begin with '/' (got ${quote(rawValue)})`,
          'TSFPM_ERR_CONF_BAD_VALUE',
        );
      }
      if (!ok) return false;
    } else if (key === '') {
      return this.#error(
        at,
        `You must provide a key for field '${name}' (expected '${name}[NAME] = value')`,
        'TSFPM_ERR_CONF_BAD_VALUE',
      );
    }
    if (!section.isPool) {
      return this.#error(
        at,
        `Array are not allowed in the global section ('${name}[${key}]' belongs in a pool section)`,
        'TSFPM_ERR_CONF_UNKNOWN_ENTRY',
      );
    }
    const directive = ARRAY_DIRECTIVES.get(name);
    if (!directive) {
      const guess = closest(name, ARRAY_DIRECTIVES.keys());
      return this.#error(
        at,
        `unknown directive '${name}'${guess ? `; did you mean '${guess}'?` : ''}`,
        'TSFPM_ERR_CONF_UNKNOWN_ENTRY',
      );
    }
    let value = rawValue.replaceAll('$pool', section.name);
    if (name === 'env' && value === '') {
      return this.#error(
        at,
        `empty value (env[${key}] needs a value; 'no', 'off' and 'false' read as empty)`,
        'TSFPM_ERR_CONF_BAD_VALUE',
      );
    }
    if (name === 'php_flag' || name === 'php_admin_flag') {
      const b = parseBool(value);
      if (b === undefined) {
        return this.#error(
          at,
          `error while parsing '${name}[${key}]' : invalid boolean value (got ${quote(value)}, expected on/off)`,
          'TSFPM_ERR_CONF_BAD_VALUE',
        );
      }
      value = b ? '1' : '0';
    }
    section.arrays.push({ directive, key, value, file: at.file, line: at.line });
    this.#warnIgnored(directive, name === 'access.suppress_path' ? name : `${name}[${key}]`, at);
    return true;
  }

  #unknown(name: string, scope: 'global' | 'pool', at: SourcePos): boolean {
    let hint = '';
    const other = findDirective(scope === 'pool' ? 'global' : 'pool', name);
    if (ARRAY_DIRECTIVES.has(name)) hint = `; '${name}' is an array: write ${name}[NAME] = value`;
    else if (name.toLowerCase() === 'include') hint = "; did you mean 'include'? (it is case-sensitive)";
    else if (other && scope === 'pool') hint = `; '${other.name}' is a [global] directive`;
    else if (other) hint = `; '${other.name}' is a pool directive: put it in a [pool] section`;
    else if (name.startsWith('#')) hint = "; '#' does not start a comment in INI files (since PHP 7.0), use ';'";
    else {
      const guess = closest(name, CANDIDATES[scope]);
      if (guess) hint = `; did you mean '${guess}'?`;
    }
    return this.#error(at, `unknown entry '${name}'${hint}`, 'TSFPM_ERR_CONF_UNKNOWN_ENTRY');
  }

  #warnIgnored(directive: Directive, shown: string, at: SourcePos): void {
    if (directive.ignoredBecause === undefined) return;
    const section = this.#current;
    const id = `${section.name}\u0000${shown}`;
    if (this.#warned.has(id)) return;
    this.#warned.add(id);
    const frame = section.isPool ? `[pool ${section.name}] ` : '';
    this.#sink.add(
      'warning',
      `${frame}'${shown}' is ignored: ${directive.ignoredBecause} (at ${at.file}:${at.line})`,
      at,
    );
  }

  #error(at: SourcePos, text: string, code: Parameters<MessageSink['atLine']>[2]): false {
    this.#sink.atLine(at, text, code);
    return false;
  }
}
