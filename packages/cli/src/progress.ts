/**
 * Live progress of an apply: a table redrawn in place on a terminal (member,
 * phase, elapsed time), plain lines otherwise (one per phase change).
 */
import type { EngineEvent, MemberPhase } from '@mooring/engine';

const ICON: Record<MemberPhase, string> = {
  waiting: '·',
  deploying: '↻',
  synced: '✓',
  unchanged: '=',
  failed: '✗',
  blocked: '⊘',
  removed: '−',
  cancelled: '⏸',
};

interface Row {
  key: string;
  stack: string;
  phase: MemberPhase;
  message?: string;
  startedAt?: number;
  elapsedMs?: number;
}

export class Progress {
  private readonly rows = new Map<string, Row>();
  private readonly write: (t: string) => void;
  private readonly tty: boolean;
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(write: (t: string) => void, tty: boolean, now: () => number = Date.now) {
    this.write = write;
    this.tty = tty;
    this.now = now;
    if (tty) this.timer = setInterval(() => this.draw(), 250);
  }

  onEvent = (e: EngineEvent): void => {
    if (e.type !== 'member') return;
    const row = this.rows.get(e.key) ?? { key: e.key, stack: e.stack, phase: e.phase };
    if (e.phase === 'deploying') row.startedAt = this.now();
    row.phase = e.phase;
    row.message = e.message;
    if (e.elapsedMs !== undefined && e.phase !== 'deploying') row.elapsedMs = e.elapsedMs;
    this.rows.set(e.key, row);
    if (this.tty) this.draw();
    else if (e.phase !== 'waiting') {
      const t = row.elapsedMs !== undefined ? ` (${(row.elapsedMs / 1000).toFixed(1)}s)` : '';
      this.write(
        `${e.phase.padEnd(9)} ${e.stack}/${e.key}${t}${e.message && e.phase !== 'deploying' ? `: ${e.message}` : ''}\n`,
      );
    }
  };

  private line(r: Row): string {
    const secs =
      r.phase === 'deploying' && r.startedAt ? (this.now() - r.startedAt) / 1000 : (r.elapsedMs ?? 0) / 1000;
    const time = r.phase === 'waiting' ? '' : `${secs.toFixed(1)}s`;
    const msg = r.phase === 'failed' || r.phase === 'blocked' ? `  ${r.message ?? ''}` : '';
    return `${ICON[r.phase]} ${r.phase.padEnd(9)} ${`${r.stack}/${r.key}`.padEnd(40)} ${time.padStart(6)}${msg}`.slice(
      0,
      160,
    );
  }

  private draw(): void {
    const lines = [...this.rows.values()].map((r) => this.line(r));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.draw();
  }
}
