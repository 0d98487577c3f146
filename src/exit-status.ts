// Exit statuses of the CLI, like a linter's: scripts can gate on them.
export const EXIT_OK = 0
export const EXIT_WARNING = 1
export const EXIT_CRITICAL = 2
export const EXIT_USAGE = 3
