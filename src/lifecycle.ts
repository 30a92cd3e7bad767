/**
 * The start and stop mechanics of the composition root (controller.ts), apart from its wiring: which
 * phase `/readyz` reports, a start step that gives up when its signal (deadline or cancel) aborts, and
 * the stop of every started part in reverse order. Knows no stage; takes deadlines as signals.
 * @module
 */
import { EdgeControllerError, isEdgeControllerError } from './errors/index.js';
import type { Logger, Readiness } from './observability/index.js';

/** A started part, stopped in reverse start order. */
export interface StartedPart {
  readonly name: string;
  stop(): Promise<void>;
}

/** Where the process is, for `/readyz`. */
export type Phase =
  | { readonly kind: 'starting'; readonly step: string }
  | { readonly kind: 'running'; readonly readiness: () => Readiness }
  | { readonly kind: 'stopping' };

/** `/readyz` for a phase: 200 only while running with every stage ready. */
export function readinessOf(phase: Phase): Readiness {
  switch (phase.kind) {
    case 'starting':
      return { ready: false, reasons: [`starting: ${phase.step}`] };
    case 'running':
      return phase.readiness();
    case 'stopping':
      return { ready: false, reasons: ['shutting down'] };
  }
}

/** Stops parts in reverse start order; one that fails to stop is logged and the rest still stop. */
export async function stopParts(parts: readonly StartedPart[], log: Logger): Promise<void> {
  for (const part of [...parts].reverse()) {
    try {
      await part.stop();
    } catch (err) {
      // Absorbed on purpose: the process is going down, and the other parts must still be stopped.
      log.warn({ part: part.name, err }, 'A part failed to stop');
    }
  }
}

/**
 * `work`, unless `signal` aborts first: then it rejects with `onAbort()`. `work` is not cancelled by this
 * (the caller aborts the lifetime signal the parts listen to); its late outcome is ignored. The caller
 * builds `signal` with its deadline (`AbortSignal.timeout`): this module has no timers of its own.
 */
export async function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onAbort: () => Error,
): Promise<T> {
  work.catch(() => undefined); // a step abandoned at the deadline may still reject later
  const done = new AbortController();
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        const fail = (): void => {
          reject(onAbort());
        };
        if (signal.aborted) fail();
        else signal.addEventListener('abort', fail, { once: true, signal: done.signal });
      }),
    ]);
  } finally {
    done.abort();
  }
}

/** Every start failure leaves with a code: ours as they are, anything else as `EC_RUN_START_FAILED`. */
export function asStartError(err: unknown): EdgeControllerError {
  if (isEdgeControllerError(err)) return err;
  return new EdgeControllerError('EC_RUN_START_FAILED', messageOf(err), { cause: err });
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
