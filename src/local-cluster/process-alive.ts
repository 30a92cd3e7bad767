/**
 * Whether a pid belongs to a live process (signal 0). EPERM means alive but not ours.
 * @module
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
