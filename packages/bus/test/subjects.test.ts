import { describe, expect, it } from 'vitest';
import {
  assertPattern,
  assertSubject,
  BusSubjectError,
  clusterIdOfSubject,
  commandConsumerName,
  commandSubject,
  HEARTBEAT_SUBJECTS,
  heartbeatSubject,
  isClusterId,
  resultSubject,
  subjectMatches,
} from '../src/index.ts';

describe('subjects', () => {
  it('names the heartbeat and command subjects of a cluster', () => {
    expect(heartbeatSubject('prod-eu_1')).toBe('agent.heartbeat.native_reconcile.prod-eu_1');
    expect(HEARTBEAT_SUBJECTS).toBe('agent.heartbeat.native_reconcile.*');
    expect(commandSubject('0b6f3c3e-9d3c-4bb0-9f50-5a1e2f9a7c11')).toBe(
      'agent.commands.0b6f3c3e-9d3c-4bb0-9f50-5a1e2f9a7c11',
    );
    expect(commandConsumerName('c1')).toBe('agent-c1');
    expect(clusterIdOfSubject('agent.heartbeat.native_reconcile.c1')).toBe('c1');
    expect(clusterIdOfSubject('agent.commands.c2')).toBe('c2');
    expect(resultSubject('c3')).toBe('agent.results.c3');
    expect(clusterIdOfSubject('agent.results.c3')).toBe('c3');
    expect(clusterIdOfSubject('agent.commands.c2.extra')).toBeUndefined();
    expect(clusterIdOfSubject('other.c2')).toBeUndefined();
  });

  it.each([
    ['a dot', 'prod.eu'],
    ['a star', 'prod*'],
    ['a >', '>'],
    ['a space', 'prod eu'],
    ['a tab', 'prod\t'],
    ['a newline', 'prod\n'],
    ['a slash', 'prod/eu'],
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
  ])('rejects a cluster id with %s', (_name, id) => {
    expect(isClusterId(id)).toBe(false);
    expect(() => heartbeatSubject(id)).toThrow(BusSubjectError);
    expect(() => commandSubject(id)).toThrow(BusSubjectError);
  });

  it.each<[string, string, string, boolean]>([
    ['exact', 'a.b.c', 'a.b.c', true],
    ['exact, different token', 'a.b.c', 'a.b.d', false],
    ['* one token', 'a.*.c', 'a.x.c', true],
    ['* not zero tokens', 'a.*.c', 'a.c', false],
    ['* not two tokens', 'a.*', 'a.b.c', false],
    ['> one token', 'a.>', 'a.b', true],
    ['> many tokens', 'a.>', 'a.b.c.d', true],
    ['> not zero tokens', 'a.>', 'a', false],
    ['shorter subject', 'a.b.c', 'a.b', false],
    ['longer subject', 'a.b', 'a.b.c', false],
    ['* and >', '*.b.>', 'x.b.y.z', true],
    ['prefix is not a token', 'agent.*', 'agentx.y', false],
  ])('matches: %s', (_name, pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('validates concrete subjects and subscription patterns', () => {
    expect(assertSubject('a.b-c_d.1')).toBe('a.b-c_d.1');
    for (const bad of ['', 'a..b', '.a', 'a.', 'a.*', 'a.>', 'a b']) {
      expect(() => assertSubject(bad), bad).toThrow(BusSubjectError);
    }
    expect(assertPattern('a.*.>')).toBe('a.*.>');
    for (const bad of ['', 'a.>.b', 'a..b', 'a b.*', 'a*.b']) {
      expect(() => assertPattern(bad), bad).toThrow(BusSubjectError);
    }
  });
});
