import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../src/errors.ts';
import { agentRefusal, maskManifestSecrets } from '../src/helm/index.ts';
import { rawAnswer } from '../src/proxy/tunnel.ts';
import { handshakeHeaders } from '../src/proxy/upgrade.ts';

describe('maskManifestSecrets', () => {
  it('masks every value of a Secret’s data and stringData, keeps keys and other objects', () => {
    const manifest = [
      '---',
      '# Source: app/templates/cm.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: cm',
      'data:',
      '  plain: visible',
      '---',
      '# Source: app/templates/secret.yaml',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: s',
      'data:',
      '  a: c2VjcmV0',
      'stringData:',
      '  b: hunter2',
      '',
    ].join('\n');
    const out = maskManifestSecrets(manifest);
    expect(out).toContain('plain: visible');
    expect(out).toContain('# Source: app/templates/secret.yaml');
    expect(out).toMatch(/a: "?\*\*\*"?/);
    expect(out).toMatch(/b: "?\*\*\*"?/);
    expect(out).not.toContain('c2VjcmV0');
    expect(out).not.toContain('hunter2');
  });

  it('returns a manifest without Secrets unchanged', () => {
    const m = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n';
    expect(maskManifestSecrets(m)).toBe(m);
  });

  it('drops a document that does not parse rather than show it', () => {
    const out = maskManifestSecrets(
      'kind: Secret\ndata:\n  a: b\n---\nkind: Secret\ndata: [unclosed\n  a: leak\n',
    );
    expect(out).not.toContain('leak');
    expect(out).toContain('kind: Secret');
  });
});

describe('agentRefusal', () => {
  it.each([
    ['release ns/x not found', NotFoundError, 'release "ns/x" not found'],
    ['release ns/x has no revision 9', NotFoundError, 'revision of release ns/x "9" not found'],
    ['secrets is forbidden', ConflictError, 'release ns/x: secrets is forbidden'],
  ])('%s', (message, type, text) => {
    const e = agentRefusal('ns/x', message);
    expect(e).toBeInstanceOf(type);
    expect(e.message).toBe(text);
  });
});

describe('upgrades through the kubectl proxy', () => {
  it('passes only the handshake headers of a WebSocket or SPDY upgrade', () => {
    expect(
      handshakeHeaders({
        authorization: 'Bearer secret',
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'k',
        'sec-websocket-version': '13',
        'sec-websocket-protocol': 'v5.channel.k8s.io, v4.channel.k8s.io',
        'x-stream-protocol-version': ['v4.channel.k8s.io', 'v3.channel.k8s.io'],
        'impersonate-user': 'root',
      }),
    ).toEqual({
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'k',
      'sec-websocket-version': '13',
      'sec-websocket-protocol': 'v5.channel.k8s.io, v4.channel.k8s.io',
      'x-stream-protocol-version': 'v4.channel.k8s.io, v3.channel.k8s.io',
    });
  });

  it('writes a 101 head without a body, and a refusal with its length, dropping header lines with line breaks', () => {
    expect(rawAnswer(101, { upgrade: 'websocket', 'sec-websocket-accept': 'abc' }).toString()).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nsec-websocket-accept: abc\r\n\r\n',
    );
    expect(
      rawAnswer(403, { 'content-type': 'application/json', bad: 'a\r\nx: y' }, Buffer.from('{}')).toString(),
    ).toBe(
      'HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
    );
  });
});
