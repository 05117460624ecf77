// A small strftime for the access log's %t / %T (`%{format}t`), local time like php-fpm's
// strftime(localtime()). Covers the conversions people put in log formats; an unknown one is
// copied as written, as glibc does.
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

function offset(d: Date, colon: boolean): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return (
    Math.floor(
      (d.getTime() - start.getTime() + (start.getTimezoneOffset() - d.getTimezoneOffset()) * 60_000) / 86_400_000,
    ) + 1
  );
}

function conversion(c: string, d: Date): string | undefined {
  const h12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  switch (c) {
    case 'a':
      return DAYS[d.getDay()]?.slice(0, 3);
    case 'A':
      return DAYS[d.getDay()];
    case 'b':
    case 'h':
      return MONTHS[d.getMonth()]?.slice(0, 3);
    case 'B':
      return MONTHS[d.getMonth()];
    case 'C':
      return pad(Math.floor(d.getFullYear() / 100));
    case 'd':
      return pad(d.getDate());
    case 'e':
      return pad(d.getDate(), 2, ' ');
    case 'D':
      return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
    case 'F':
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    case 'H':
      return pad(d.getHours());
    case 'I':
      return pad(h12);
    case 'j':
      return pad(dayOfYear(d), 3);
    case 'k':
      return pad(d.getHours(), 2, ' ');
    case 'l':
      return pad(h12, 2, ' ');
    case 'm':
      return pad(d.getMonth() + 1);
    case 'M':
      return pad(d.getMinutes());
    case 'n':
      return '\n';
    case 'p':
      return d.getHours() < 12 ? 'AM' : 'PM';
    case 'r':
      return `${pad(h12)}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
    case 'R':
      return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    case 's':
      return String(Math.floor(d.getTime() / 1000));
    case 'S':
      return pad(d.getSeconds());
    case 't':
      return '\t';
    case 'T':
      return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    case 'u':
      return String(d.getDay() === 0 ? 7 : d.getDay());
    case 'w':
      return String(d.getDay());
    case 'y':
      return pad(d.getFullYear() % 100);
    case 'Y':
      return String(d.getFullYear());
    case 'z':
      return offset(d, false);
    case '%':
      return '%';
    default:
      return undefined;
  }
}

export function strftime(format: string, date: Date): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? '';
    if (ch !== '%' || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    const c = format[++i] ?? '';
    out += conversion(c, date) ?? `%${c}`;
  }
  return out;
}

/** php-fpm's default time format for %t / %T. */
export const DEFAULT_ACCESS_TIME_FORMAT = '%d/%b/%Y:%H:%M:%S %z';
