// Exit statuses (sysexits, as php-fpm): documented in docs/command-line.md. Outside src/cli because the master
// reports its own exit status too, and src/master does not import the command line.
export const EXIT_OK = 0;
/** Unknown option or argument. */
export const EXIT_USAGE = 64;
/** Internal error, or a daemonized master that did not report success. */
export const EXIT_SOFTWARE = 70;
/** The configuration is invalid or start-up failed (bind, pid file): php-fpm's FPM_EXIT_CONFIG. */
export const EXIT_CONFIG = 78;
