import type { CommandConsumer, ConsumeOptions, ReceivedCommand } from './types.ts';

/** Acknowledgement state of one delivery, so `consume` knows whether the handler settled it. */
export function settleOnce(cmd: ReceivedCommand): ReceivedCommand & { settled(): boolean } {
  let done = false;
  return {
    command: cmd.command,
    deliveryCount: cmd.deliveryCount,
    ack: async () => {
      if (done) return;
      done = true;
      await cmd.ack();
    },
    nak: async (delayMs?: number) => {
      if (done) return;
      done = true;
      await cmd.nak(delayMs);
    },
    working: () => cmd.working(),
    settled: () => done,
  };
}

/**
 * The `consume` loop shared by both implementations: take a command, run the handler,
 * ack when it resolves, nak when it throws. Invalid commands and handler errors go to
 * `onError`; the loop only ends on `stop()` or when the bus closes.
 */
export function runConsumer(
  subject: string,
  next: (timeoutMs: number) => Promise<ReceivedCommand | null>,
  handler: (cmd: ReceivedCommand) => Promise<void> | void,
  opts: ConsumeOptions & {
    pollMs: number;
    isClosed: () => boolean;
    defaultOnError: (e: unknown, s: string) => void;
  },
): CommandConsumer {
  const onError = opts.onError ?? opts.defaultOnError;
  const retryDelayMs = opts.retryDelayMs ?? 1000;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const loop = async () => {
    while (!stopped && !opts.isClosed()) {
      let received: ReceivedCommand | null;
      try {
        received = await next(opts.pollMs);
      } catch (e) {
        if (opts.isClosed()) return;
        onError(e, subject);
        continue;
      }
      if (!received) continue;
      if (stopped) {
        // taken while stopping: give it back at once rather than after the ack wait
        await received.nak().catch(() => {});
        return;
      }
      const cmd = settleOnce(received);
      const run = (async () => {
        try {
          await handler(cmd);
          if (!cmd.settled()) await cmd.ack();
        } catch (e) {
          onError(e, subject);
          if (!cmd.settled()) await cmd.nak(retryDelayMs).catch((err) => onError(err, subject));
        }
      })();
      current = run;
      await run;
    }
  };
  void loop();
  return {
    stop: async () => {
      stopped = true;
      await current;
    },
  };
}
