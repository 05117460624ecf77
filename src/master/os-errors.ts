// Text for libuv's negative errno numbers, in php-fpm's `<strerror> (<errno>)` shape.
import { getSystemErrorMap } from 'node:util';

export const os = {
  /** `Address already in use (98)` */
  describe(errno: number): string {
    const entry = getSystemErrorMap().get(errno);
    const message = entry?.[1] ?? `error ${errno}`;
    return `${message.charAt(0).toUpperCase()}${message.slice(1)} (${-errno})`;
  },
};
