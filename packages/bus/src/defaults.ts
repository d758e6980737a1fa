/** Defaults both bus implementations share. */

/** A delivered command not acked within this long is delivered again. */
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** A command id seen within this window is not enqueued again (as JetStream's duplicate window). */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
/** How long `request` and `next` wait unless told otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Where invalid messages and handler errors go when nobody set an `onError`. */
export function defaultOnError(err: unknown, subject: string): void {
  console.error(`[bus] ${subject}: ${err instanceof Error ? err.message : String(err)}`);
}
