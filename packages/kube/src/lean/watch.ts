import { StringDecoder } from 'node:string_decoder';
import type { KubeConfig } from './kubeConfig.ts';
import { kubeStream, type Query } from './transport.ts';

/** Splits a stream of text into lines, keeping a partial last line for the next chunk. */
export class LineSplitter {
  #rest = '';
  /** The complete lines in `chunk` (with what was left before); empty lines are skipped. */
  push(chunk: string): string[] {
    const parts = (this.#rest + chunk).split('\n');
    this.#rest = parts.pop() ?? '';
    return parts.filter((l) => l.trim() !== '');
  }
  /** What is left when the stream ends (a last line without a newline). */
  end(): string[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest.trim() ? [rest] : [];
  }
}

export type WatchPhase = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * Streaming watches (`?watch=true`): one JSON event a line. Same contract as
 * `@kubernetes/client-node`'s `Watch`: `watch()` resolves with an AbortController once the
 * request is sent; `done` is called once, with an error or null, when the watch ends
 * (closed by the server, aborted, failed, or quiet for `requestTimeoutMs`).
 */
export class Watch {
  /** Inactivity timeout: no byte for this long ends the watch with a TimeoutError. */
  requestTimeoutMs = 30_000;
  readonly #kc: KubeConfig;
  constructor(kc: KubeConfig) {
    this.#kc = kc;
  }

  async watch<T = Record<string, unknown>>(
    path: string,
    query: Query,
    callback: (phase: string, object: T, event: { type: string; object: T }) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let called = false;
    const finish = (err: unknown) => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      controller.abort();
      done(err && timedOut ? new DOMException('The watch was quiet too long', 'TimeoutError') : err);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
        finish(new DOMException('The watch was quiet too long', 'TimeoutError'));
      }, this.requestTimeoutMs);
      timer.unref();
    };
    try {
      arm();
      const res = await kubeStream(this.#kc, {
        path,
        query: { ...query, watch: true },
        signal: controller.signal,
      });
      arm();
      const lines = new LineSplitter();
      const decoder = new StringDecoder('utf8');
      const emit = (line: string) => {
        let ev: { type: string; object: T };
        try {
          ev = JSON.parse(line) as { type: string; object: T };
        } catch {
          return;
        }
        callback(ev.type, ev.object, ev);
      };
      res.on('data', (chunk: Buffer) => {
        arm();
        for (const l of lines.push(decoder.write(chunk))) emit(l);
      });
      res.on('end', () => {
        for (const l of lines.push(decoder.end())) emit(l);
        for (const l of lines.end()) emit(l);
        finish(null);
      });
      res.on('error', finish);
      res.on('close', () => finish(null));
    } catch (err) {
      finish(err);
    }
    return controller;
  }
}
