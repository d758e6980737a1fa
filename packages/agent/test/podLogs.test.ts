import { describe, expect, it } from 'vitest';
import { chooseContainers, LogText, podLogPath } from '../src/logs/lines.ts';
import { SendWindow } from '../src/logs/window.ts';

describe('LogText', () => {
  it('decodes UTF-8 split across chunks', () => {
    const t = new LogText();
    const bytes = Buffer.from('é€\n');
    expect(t.push(bytes.subarray(0, 1)) + t.push(bytes.subarray(1, 4)) + t.push(bytes.subarray(4))).toBe(
      'é€\n',
    );
  });
  it('prefixes whole lines only, the last one at the end', () => {
    const t = new LogText('[app] ');
    expect(t.push(Buffer.from('a\nb'))).toBe('[app] a\n');
    expect(t.push(Buffer.from('c\nd'))).toBe('[app] bc\n');
    expect(t.end()).toBe('[app] d\n');
    expect(t.end()).toBe('');
  });
});

describe('SendWindow', () => {
  it('is full after `size` unacknowledged chunks and opens with credit', () => {
    const w = new SendWindow(2);
    expect([w.take(), w.take()]).toEqual([0, 1]);
    expect(w.full()).toBe(true);
    w.ack(0);
    expect(w.full()).toBe(false);
    w.ack(-1); // an old credit changes nothing
    expect(w.inFlight()).toBe(1);
    w.ack(99); // credit beyond what was sent counts only what was sent
    expect(w.inFlight()).toBe(0);
  });
});

describe('log requests', () => {
  const pod = {
    metadata: { name: 'web' },
    spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'app' }, { name: 'side' }] },
  };
  it('chooses containers as kubectl does', () => {
    expect(chooseContainers(pod, { all_containers: true })).toEqual({ containers: ['init', 'app', 'side'] });
    expect(chooseContainers(pod, { container: 'side', all_containers: false })).toEqual({
      containers: ['side'],
    });
    expect(chooseContainers(pod, { container: 'x', all_containers: false })).toEqual({
      error: 'container "x" is not valid for pod "web", choose one of: init, app, side',
    });
    expect(chooseContainers(pod, { all_containers: false })).toEqual({
      error: 'a container name must be specified for pod "web", choose one of: init, app, side',
    });
    const annotated = {
      ...pod,
      metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/default-container': 'side' } },
    };
    expect(chooseContainers(annotated, { all_containers: false })).toEqual({ containers: ['side'] });
    expect(chooseContainers({ spec: { containers: [{ name: 'only' }] } }, { all_containers: false })).toEqual(
      {
        containers: ['only'],
      },
    );
  });
  it('builds the pods/log path with only what was asked', () => {
    expect(
      podLogPath({
        namespace: 'n',
        pod: 'p',
        container: 'c',
        follow: true,
        previous: false,
        timestamps: false,
        tail_lines: 0,
        since_seconds: 60,
      }),
    ).toBe('/api/v1/namespaces/n/pods/p/log?container=c&follow=true&tailLines=0&sinceSeconds=60');
    expect(podLogPath({ namespace: 'n', pod: 'p', follow: false, previous: true, timestamps: true })).toBe(
      '/api/v1/namespaces/n/pods/p/log?previous=true&timestamps=true',
    );
  });
});
