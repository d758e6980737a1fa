import { describe, expect, it } from 'vitest';
import { applyPayloadSchema, loadApplyDefinition, payloadIssues } from '../src/commands.ts';
import { checkResult, resultSubject } from '../src/results.ts';

const text = (extra = '') => `apiVersion: v1
kind: ImportCluster
metadata:
  name: c1
spec:
  stacks:
    - name: base
      addons:
        - name: hook
          chart_name: failing-hook
          chart_version: "0.1.0"
          repository_url: http://charts.example
          namespace: apps${extra}
`;

describe('apply payload', () => {
  it('loads and plans a valid definition', () => {
    const r = loadApplyDefinition({ files: { 'c/import.yaml': text() }, path: 'c/import.yaml' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.plan.waves.length).toBe(1);
  });

  it('reports the diagnostics of an invalid definition', () => {
    const r = loadApplyDefinition({
      files: { 'import.yaml': text('\n          colour: blue') },
      path: 'import.yaml',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/import\.yaml is invalid \(1 error\): nothing applied/);
      expect(r.diagnostics[0]).toMatchObject({
        severity: 'error',
        file: 'import.yaml',
        code: 'unknown-field',
      });
    }
  });

  it('reports a missing file and an unsafe path', () => {
    expect(loadApplyDefinition({ files: {}, path: 'nope.yaml' }).ok).toBe(false);
    const r = loadApplyDefinition({ files: { '../x.yaml': 'a: 1' }, path: '../x.yaml' });
    expect(r.ok).toBe(false);
  });

  it('names the bad fields of a payload', () => {
    const p = applyPayloadSchema.safeParse({ path: '', options: { concurrency: 0, force: true } });
    expect(p.success).toBe(false);
    if (!p.success) {
      const issues = payloadIssues(p.error).join('\n');
      expect(issues).toMatch(/^files: /m);
      expect(issues).toMatch(/^path: /m);
      expect(issues).toMatch(/^options\.concurrency: /m);
      expect(issues).toMatch(/options: .*force/m);
    }
  });
});

describe('results', () => {
  const result = {
    command_id: 'x1',
    cluster_id: 'c1',
    kind: 'sweep',
    ok: true,
    outcome: 'ok' as const,
    message: 'done',
    finished_at: new Date().toISOString(),
    duration_seconds: 0.1,
  };
  it('go on agent.results.{cluster_id}, and only for that cluster', () => {
    expect(resultSubject('c1')).toBe('agent.results.c1');
    expect(() => resultSubject('a.b')).toThrow();
    expect(checkResult('agent.results.c1', result)).toEqual(result);
    expect(() => checkResult('agent.results.c2', result)).toThrow(/c1/);
    expect(() => checkResult('agent.results.c1', { ...result, extra: 1 } as typeof result)).toThrow();
  });
});
