/** `edge-controller run`: starting and stopping the process and its listeners (cli/run.ts, controller.ts). */
export const runErrorCodes = {
  EC_RUN_LISTEN_FAILED:
    'The hub or the health and metrics endpoint could not listen on its address and port; the message names which.',
  EC_RUN_STARTUP_TIMEOUT:
    'The controller did not finish starting within --startup-timeout-seconds; the message names the step it was on.',
  EC_RUN_SHUTDOWN_TIMEOUT:
    'Stopping did not finish within --shutdown-timeout-seconds; the process exited without waiting longer.',
  EC_RUN_START_FAILED:
    'Starting failed for a reason that has no code of its own, or was cancelled; the cause is attached.',
} as const;
