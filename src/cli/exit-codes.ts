/** Process exit codes: a stable interface for scripts. */
export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_INVALID = 2; // invalid pipeline or usage
