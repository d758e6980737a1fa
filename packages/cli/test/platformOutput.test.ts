import { describe, expect, it } from 'vitest';
import { ago, cell, fields, parseFormat, serialise, table } from '../src/api/output.ts';
import { previousRevision, renderAddon, renderAddons } from '../src/commands/addons.ts';
import { renderCluster, renderClusters, renderInstall } from '../src/commands/clusters.ts';
import {
  exitCodeOfOperation,
  type OperationView,
  outcome,
  progressLines,
  renderOperation,
  renderOperations,
} from '../src/commands/operations.ts';
import { UsageError } from '../src/io.ts';

const NOW = new Date('2026-01-02T12:00:00Z');

describe('output formats', () => {
  it('parses -o text|json|yaml, anything else is a usage error', () => {
    expect(parseFormat(undefined)).toBe('text');
    expect(parseFormat('json')).toBe('json');
    expect(parseFormat('yaml')).toBe('yaml');
    expect(() => parseFormat('xml')).toThrow(UsageError);
  });

  it('serialises JSON and YAML that parse back', () => {
    const v = [{ id: 'a', n: 1, none: null }];
    expect(JSON.parse(serialise('json', v))).toEqual(v);
    expect(serialise('yaml', v)).toBe('- id: a\n  n: 1\n  none: null\n');
  });

  it('aligns table columns to the widest cell, no trailing spaces, - for empty', () => {
    expect(
      table(
        ['NAME', 'STATE', 'NODES'],
        [
          ['a-long-name', 'online', 3],
          ['b', null, undefined],
        ],
      ),
    ).toBe('NAME         STATE   NODES\na-long-name  online  3\nb            -       -\n');
    expect(cell('')).toBe('-');
    expect(cell({ a: 1 })).toBe('{"a":1}');
  });

  it('aligns key: value lines', () => {
    expect(
      fields([
        ['id', 'x'],
        ['last check-in', null],
      ]),
    ).toBe('id:             x\nlast check-in:  -\n');
  });

  it('says how long ago', () => {
    expect(ago('2026-01-02T11:59:30Z', NOW)).toBe('30s ago');
    expect(ago('2026-01-02T11:50:00Z', NOW)).toBe('10m ago');
    expect(ago('2026-01-02T09:00:00Z', NOW)).toBe('3h ago');
    expect(ago('2025-12-30T12:00:00Z', NOW)).toBe('3d ago');
    expect(ago(null, NOW)).toBe('-');
    expect(ago('not a time', NOW)).toBe('not a time');
  });
});

const CLUSTER = {
  id: 'c1',
  name: 'prod',
  description: 'the production cluster',
  state: 'online',
  agent_version: '0.1.0',
  kubernetes_version: 'v1.33.1',
  node_count: 3,
  region: 'eu-west-1',
  last_check_in: '2026-01-02T11:59:50Z',
  definition_path: 'clusters/prod/import-cluster.yaml',
  created_at: '2026-01-01T00:00:00Z',
};

describe('clusters as text', () => {
  it('a table of clusters; none says so', () => {
    expect(renderClusters([CLUSTER, { ...CLUSTER, id: 'c2', name: 'dev', state: 'offline' }], NOW)).toBe(
      'NAME  ID  STATE    NODES  KUBERNETES  AGENT  REGION     LAST CHECK-IN\n' +
        'prod  c1  online   3      v1.33.1     0.1.0  eu-west-1  10s ago\n' +
        'dev   c2  offline  3      v1.33.1     0.1.0  eu-west-1  10s ago\n',
    );
    expect(renderClusters([], NOW)).toBe('no clusters\n');
  });

  it('one cluster', () => {
    const text = renderCluster(CLUSTER, NOW);
    expect(text).toContain('name:           prod\n');
    expect(text).toContain('last check-in:  2026-01-02T11:59:50Z (10s ago)\n');
  });

  it('the install command is shown with what it holds', () => {
    expect(
      renderInstall(
        { cluster: CLUSTER, agent_token: 't', install_command: 'helm upgrade --install x' },
        'imported cluster',
      ),
    ).toBe(
      'imported cluster prod (id c1)\n\nInstall the agent in the cluster with this command. It holds the agent token and is shown only now:\n\n  helm upgrade --install x\n',
    );
  });
});

const OP: OperationView = {
  id: 'op1',
  cluster_id: 'c1',
  type: 'apply',
  state: 'running',
  message: '',
  created_at: '2026-01-02T11:58:00Z',
  started_at: '2026-01-02T11:58:01Z',
  finished_at: null,
  steps: [
    { name: 'render', kind: 'render', state: 'success', message: '', sends: 1 },
    { name: 'deploy', kind: 'apply', state: 'running', message: '', sends: 1 },
  ],
};

describe('operations as text', () => {
  it('running, succeeded, failed; exit code from the result', () => {
    expect(outcome(OP)).toBeUndefined();
    expect(outcome({ state: 'pending' })).toBeUndefined();
    for (const [state, ok, code] of [
      ['success', true, 0],
      ['failed', false, 1],
      ['cancelled', false, 1],
      ['timeout', false, 1],
    ] as const) {
      expect(outcome({ state })).toBe(ok);
      expect(exitCodeOfOperation({ ...OP, state })).toBe(code);
    }
  });

  it('a table with cluster names and step counts', () => {
    expect(renderOperations([OP], NOW, new Map([['c1', 'prod']]))).toBe(
      'ID   TYPE   STATE    CLUSTER  STEPS  CREATED  FINISHED  MESSAGE\n' +
        'op1  apply  running  prod     1/2    2m ago   -         -\n',
    );
    expect(renderOperations([], NOW)).toBe('no operations\n');
  });

  it('one operation and its steps', () => {
    const text = renderOperation(OP, 'prod');
    expect(text).toContain('cluster:   prod (c1)\n');
    expect(text).toContain('\nSTEP    KIND    STATE    SENDS  STARTED  FINISHED  MESSAGE\n');
    expect(text).toContain('deploy  apply   running  1      -        -         -\n');
  });

  it('progress: the operation first, then only what changed', () => {
    expect(progressLines(undefined, OP)).toEqual([
      'operation op1 (apply): running',
      '  step render: success',
      '  step deploy: running',
    ]);
    expect(progressLines(OP, OP)).toEqual([]);
    const failed: OperationView = {
      ...OP,
      state: 'failed',
      message: 'deploy failed',
      steps: [OP.steps![0]!, { ...OP.steps![1]!, state: 'failed', message: 'helm: timed out' }],
    };
    expect(progressLines(OP, failed)).toEqual([
      '  step deploy: failed (helm: timed out)',
      'operation op1 (apply): failed (deploy failed)',
    ]);
  });
});

describe('add-ons as text', () => {
  const a = {
    name: 'podinfo',
    kind: 'addon',
    stack: 'apps',
    chart: 'podinfo',
    version: '6.7.1',
    namespace: 'apps',
    state: 'Synced',
    health: 'Healthy',
    engine: 'native',
    revision: 3,
    message: '',
    last_updated: '2026-01-02T11:00:00Z',
    last_inspected: null,
    in_definition: true,
  };

  it('a table', () => {
    expect(renderAddons([a], NOW)).toBe(
      'NAME     STACK  CHART    VERSION  NAMESPACE  STATE   HEALTH   REVISION  UPDATED\n' +
        'podinfo  apps   podinfo  6.7.1    apps       Synced  Healthy  3         1h ago\n',
    );
    expect(renderAddons([], NOW)).toBe('no add-ons\n');
  });

  it('one add-on with its Helm history, and what the agent did not answer', () => {
    const text = renderAddon({
      ...a,
      history: [
        {
          revision: 3,
          status: 'deployed',
          chart: 'podinfo',
          chart_version: '6.7.1',
          description: 'Upgrade complete',
        },
        { revision: 2, status: 'superseded', chart: 'podinfo', chart_version: '6.7.0' },
      ],
      live_errors: ['events: the agent did not answer'],
    });
    expect(text).toContain('engine:     native\n');
    expect(text).toContain(
      '\nHelm history:\nREVISION  STATUS      CHART    VERSION  UPDATED  DESCRIPTION\n3         deployed    podinfo  6.7.1    -        Upgrade complete\n',
    );
    expect(text).toContain('\nnot shown: events: the agent did not answer\n');
  });

  it('rollback without --revision returns to the revision before the current', () => {
    const h = (revision: number) => ({ revision, status: 's', chart: 'c', chart_version: 'v' });
    expect(previousRevision({ ...a, history: [h(3), h(2), h(1)] })).toBe(2);
    expect(previousRevision({ ...a, revision: 3, history: [h(3), h(1)] })).toBe(1);
    expect(previousRevision({ ...a, revision: 3, history: null })).toBe(2);
    expect(previousRevision({ ...a, revision: 1, history: [h(1)] })).toBeUndefined();
    expect(previousRevision({ ...a, revision: null, history: null })).toBeUndefined();
  });
});
