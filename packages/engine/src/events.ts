/** Where one member of an apply stands. */
export type MemberPhase =
  | 'waiting'
  | 'deploying'
  | 'synced'
  | 'unchanged'
  | 'failed'
  | 'blocked'
  | 'removed'
  | 'cancelled';

export interface MemberEvent {
  type: 'member';
  /** `stack/kind/name` */
  key: string;
  stack: string;
  kind: 'addon' | 'manifest';
  name: string;
  phase: MemberPhase;
  message?: string;
  /** Milliseconds since the member started deploying. */
  elapsedMs?: number;
}

export interface WaveEvent {
  type: 'wave';
  index: number;
  stacks: string[];
  phase: 'started' | 'finished';
}

export type EngineEvent = MemberEvent | WaveEvent;
export type EventSink = (e: EngineEvent) => void;
