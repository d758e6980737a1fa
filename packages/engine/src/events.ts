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

import type { AddonState } from '@mooring/core';

/** The add-on state (as the platform shows it) of a member in an apply phase. */
export function stateOfPhase(phase: MemberPhase): AddonState {
  switch (phase) {
    case 'waiting':
    case 'blocked':
      return 'Pending';
    case 'deploying':
      return 'Deploying';
    case 'synced':
    case 'unchanged':
    case 'removed':
      return 'Synced';
    case 'failed':
      return 'Degraded';
    case 'cancelled':
      return 'OutOfSync';
  }
}

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
