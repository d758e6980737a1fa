import { describe, expect, it } from 'vitest';
import {
  compileSyncWindow,
  isInsideWindow,
  SyncWindowError,
  type SyncWindowErrorCode,
  type SyncWindowReason,
  type SyncWindowSpec,
} from '../../src/syncwindow/index.ts';

const at = (iso: string) => new Date(iso);

const BERLIN_0230: SyncWindowSpec = {
  enabled: true,
  schedule: '30 2 * * *',
  duration: '1h',
  timezone: 'Europe/Berlin',
};
const NY_0230: SyncWindowSpec = {
  enabled: true,
  schedule: '30 2 * * *',
  duration: '1h',
  timezone: 'America/New_York',
};
const NY_0130: SyncWindowSpec = {
  enabled: true,
  schedule: '30 1 * * *',
  duration: '30m',
  timezone: 'America/New_York',
};
const NY_BUSINESS: SyncWindowSpec = {
  enabled: true,
  schedule: '0 9 * * 1-5',
  duration: '8h',
  timezone: 'America/New_York',
};
const NIGHTLY_UTC: SyncWindowSpec = { enabled: true, schedule: '0 22 * * *', duration: '4h' };
const FRIDAY_NIGHT_BERLIN: SyncWindowSpec = {
  enabled: true,
  schedule: '0 23 * * FRI',
  duration: '6h',
  timezone: 'Europe/Berlin',
};

type Case = {
  name: string;
  window: SyncWindowSpec;
  now: string;
  reason: SyncWindowReason;
  start?: string;
  end?: string;
  next?: string;
};

const CASES: Case[] = [
  // Europe/Berlin, spring forward 2026-03-29 02:00 CET → 03:00 CEST (01:00Z): 02:30 does not exist.
  {
    name: 'Berlin, day before spring forward: 02:30 CET',
    window: BERLIN_0230,
    now: '2026-03-28T01:45:00Z',
    reason: 'inside_sync_window',
    start: '2026-03-28T01:30:00Z',
    end: '2026-03-28T02:30:00Z',
  },
  {
    name: 'Berlin spring forward: the skipped 02:30 opens when the clock jumps (03:00 CEST)',
    window: BERLIN_0230,
    now: '2026-03-29T01:30:00Z',
    reason: 'inside_sync_window',
    start: '2026-03-29T01:00:00Z',
    end: '2026-03-29T02:00:00Z',
  },
  {
    name: 'Berlin spring forward: 01:45 CET, just before the jump, is outside; next start is the jump',
    window: BERLIN_0230,
    now: '2026-03-29T00:45:00Z',
    reason: 'outside_sync_window',
    next: '2026-03-29T01:00:00Z',
  },
  {
    name: 'Berlin spring forward: after the shifted window, the next is 02:30 CEST the day after',
    window: BERLIN_0230,
    now: '2026-03-29T02:00:00Z',
    reason: 'outside_sync_window',
    next: '2026-03-30T00:30:00Z',
  },
  // Europe/Berlin, fall back 2026-10-25 03:00 CEST → 02:00 CET (01:00Z): 02:30 happens twice.
  {
    name: 'Berlin fall back: the window opens at the first 02:30 (CEST)',
    window: BERLIN_0230,
    now: '2026-10-25T00:30:00Z',
    reason: 'inside_sync_window',
    start: '2026-10-25T00:30:00Z',
    end: '2026-10-25T01:30:00Z',
  },
  {
    name: 'Berlin fall back: still inside at 02:15 CET (after the clock went back)',
    window: BERLIN_0230,
    now: '2026-10-25T01:15:00Z',
    reason: 'inside_sync_window',
    start: '2026-10-25T00:30:00Z',
  },
  {
    name: 'Berlin fall back: the second 02:30 does not open a window again; duration is elapsed time',
    window: BERLIN_0230,
    now: '2026-10-25T01:45:00Z',
    reason: 'outside_sync_window',
    next: '2026-10-26T01:30:00Z',
  },
  // America/New_York: spring forward 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); fall back 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
  {
    name: 'New York spring forward: skipped 02:30 opens at 03:00 EDT',
    window: NY_0230,
    now: '2026-03-08T07:10:00Z',
    reason: 'inside_sync_window',
    start: '2026-03-08T07:00:00Z',
    end: '2026-03-08T08:00:00Z',
  },
  {
    name: 'New York fall back: 01:30 fires once, at the EDT occurrence',
    window: NY_0130,
    now: '2026-11-01T05:40:00Z',
    reason: 'inside_sync_window',
    start: '2026-11-01T05:30:00Z',
  },
  {
    name: 'New York fall back: the repeated 01:30 EST is outside',
    window: NY_0130,
    now: '2026-11-01T06:40:00Z',
    reason: 'outside_sync_window',
    next: '2026-11-02T06:30:00Z',
  },
  {
    name: 'New York business hours in EST (UTC-5)',
    window: NY_BUSINESS,
    now: '2026-03-06T14:30:00Z',
    reason: 'inside_sync_window',
    start: '2026-03-06T14:00:00Z',
    end: '2026-03-06T22:00:00Z',
  },
  {
    name: 'New York business hours in EDT (UTC-4) the Monday after the change',
    window: NY_BUSINESS,
    now: '2026-03-09T13:30:00Z',
    reason: 'inside_sync_window',
    start: '2026-03-09T13:00:00Z',
  },
  {
    name: 'New York Saturday is outside; next window is Monday 09:00 EDT',
    window: NY_BUSINESS,
    now: '2026-03-07T15:00:00Z',
    reason: 'outside_sync_window',
    next: '2026-03-09T13:00:00Z',
  },
  {
    name: 'window spanning midnight (UTC 22:00 + 4h) is open at 01:00',
    window: NIGHTLY_UTC,
    now: '2026-05-02T01:00:00Z',
    reason: 'inside_sync_window',
    start: '2026-05-01T22:00:00Z',
    end: '2026-05-02T02:00:00Z',
  },
  {
    name: 'the end is exclusive',
    window: NIGHTLY_UTC,
    now: '2026-05-02T02:00:00Z',
    reason: 'outside_sync_window',
    next: '2026-05-02T22:00:00Z',
  },
  {
    name: 'the start is inclusive',
    window: NIGHTLY_UTC,
    now: '2026-05-02T22:00:00Z',
    reason: 'inside_sync_window',
    start: '2026-05-02T22:00:00Z',
  },
  {
    name: 'a Friday-night window is still open early Saturday in Berlin',
    window: FRIDAY_NIGHT_BERLIN,
    now: '2026-06-06T01:00:00Z',
    reason: 'inside_sync_window',
    start: '2026-06-05T21:00:00Z',
    end: '2026-06-06T03:00:00Z',
  },
  {
    name: 'a disabled window never restricts',
    window: { enabled: false, schedule: 'not a cron', duration: 'x' },
    now: '2026-06-06T12:00:00Z',
    reason: 'disabled',
  },
];

describe('isInsideWindow', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const d = isInsideWindow(c.window, at(c.now));
    expect(d.reason).toBe(c.reason);
    expect(d.inside).toBe(c.reason !== 'outside_sync_window');
    if (c.start) expect(d.currentWindow?.start.toISOString()).toBe(new Date(c.start).toISOString());
    if (c.end) expect(d.currentWindow?.end.toISOString()).toBe(new Date(c.end).toISOString());
    if (c.next) expect(d.nextWindowStart?.toISOString()).toBe(new Date(c.next).toISOString());
  });

  it('the outside message names the window and the next start', () => {
    const d = isInsideWindow(NIGHTLY_UTC, at('2026-05-02T12:00:00Z'));
    expect(d.message).toBe(
      'outside sync window (0 22 * * * for 4h, UTC); next window opens 2026-05-02T22:00:00.000Z',
    );
  });

  it('an override admits work outside the window, with who and why', () => {
    const d = isInsideWindow(NIGHTLY_UTC, at('2026-05-02T12:00:00Z'), {
      override: { by: 'alice', reason: 'hotfix INC-42', until: at('2026-05-02T13:00:00Z') },
    });
    expect(d).toMatchObject({ inside: true, reason: 'override' });
    expect(d.message).toContain('by alice: hotfix INC-42');
  });

  it('an expired override does not', () => {
    const d = isInsideWindow(NIGHTLY_UTC, at('2026-05-02T12:00:00Z'), {
      override: { until: at('2026-05-02T11:00:00Z') },
    });
    expect(d.reason).toBe('outside_sync_window');
  });

  it('inside a window the reason stays inside_sync_window even with an override', () => {
    expect(isInsideWindow(NIGHTLY_UTC, at('2026-05-02T23:00:00Z'), { override: true }).reason).toBe(
      'inside_sync_window',
    );
  });

  it('accepts a compiled window and the definition loader’s { seconds } duration', () => {
    const compiled = compileSyncWindow({
      enabled: true,
      schedule: '@daily',
      duration: { seconds: 3600 },
      timezone: 'Asia/Tokyo',
    });
    expect(isInsideWindow(compiled, at('2026-05-01T15:30:00Z')).currentWindow?.start.toISOString()).toBe(
      '2026-05-01T15:00:00.000Z',
    );
  });
});

describe('invalid windows are typed errors', () => {
  const cases: [string, SyncWindowSpec, SyncWindowErrorCode][] = [
    ['minute out of range', { enabled: true, schedule: '61 * * * *', duration: '1h' }, 'invalid_schedule'],
    ['four fields', { enabled: true, schedule: '* * * *', duration: '1h' }, 'invalid_schedule'],
    [
      'never fires (31 February)',
      { enabled: true, schedule: '0 0 31 2 *', duration: '1h' },
      'schedule_never_fires',
    ],
    ['no schedule', { enabled: true, duration: '1h' }, 'missing_schedule'],
    [
      'unknown zone',
      { enabled: true, schedule: '0 2 * * *', duration: '1h', timezone: 'Mars/Olympus_Mons' },
      'invalid_timezone',
    ],
    ['bad duration', { enabled: true, schedule: '0 2 * * *', duration: '4 hours' }, 'invalid_duration'],
    ['zero duration', { enabled: true, schedule: '0 2 * * *', duration: '0s' }, 'invalid_duration'],
    ['no duration', { enabled: true, schedule: '0 2 * * *' }, 'missing_duration'],
  ];
  it.each(cases)('%s', (_name, spec, code) => {
    let error: unknown;
    try {
      isInsideWindow(spec, at('2026-01-01T00:00:00Z'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyncWindowError);
    expect((error as SyncWindowError).code).toBe(code);
  });
});
