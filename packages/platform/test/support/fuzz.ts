/** A small seeded PRNG (mulberry32): the same seed gives the same bodies. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'name',
  'username',
  'password',
  'role',
  'scopes',
  'expires_at',
  'definition',
  'path',
  'files',
  'agent_version',
  'kubernetes_version',
  'node_count',
  'region',
  'display_name',
  '__proto__',
  'constructor',
  '',
];
const STRINGS = [
  '',
  'owner',
  'admin',
  'read',
  '../../etc/passwd',
  '/abs',
  '2000-01-01T00:00:00Z',
  'apiVersion: v1\nkind: ImportCluster\n',
  '{"a":',
  '\u0000',
  '💥'.repeat(50),
  "'; drop table users; --",
  'x'.repeat(5000),
];

function value(rnd: () => number, depth: number): unknown {
  const k = Math.floor(rnd() * (depth > 2 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, -1e308, 2 ** 53, Number.MAX_SAFE_INTEGER + 2][Math.floor(rnd() * 7)];
    case 3:
    case 4:
      return STRINGS[Math.floor(rnd() * STRINGS.length)];
    case 5:
      return rnd()
        .toString(36)
        .slice(2, 2 + Math.floor(rnd() * 10));
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) {
        // defineProperty: `__proto__` stays an own key, as it is in the JSON text sent
        Object.defineProperty(o, KEYS[Math.floor(rnd() * KEYS.length)]!, {
          value: value(rnd, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return o;
    }
    default:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => value(rnd, depth + 1));
  }
}

export interface FuzzRequest {
  payload?: string;
  headers?: Record<string, string>;
}

/**
 * A random request body: mostly JSON values of random shapes (objects with
 * the API's own field names holding wrong or hostile values), some malformed
 * JSON, some YAML. `accept` rejects bodies a route would take as valid.
 */
export function fuzzBody(rnd: () => number, accept: (parsed: unknown) => boolean): FuzzRequest {
  for (;;) {
    const kind = rnd();
    if (kind < 0.08) {
      return {
        payload: `{"name": ${'['.repeat(Math.floor(rnd() * 50))}`,
        headers: { 'content-type': 'application/json' },
      };
    }
    if (kind < 0.15) {
      // an empty body is no body: not a fuzz case
      const text = STRINGS[1 + Math.floor(rnd() * (STRINGS.length - 1))]!;
      if (!accept({ definition: text })) continue;
      return { payload: text, headers: { 'content-type': 'application/yaml' } };
    }
    const v = value(rnd, 0);
    if (!accept(v)) continue;
    return { payload: JSON.stringify(v) ?? 'null', headers: { 'content-type': 'application/json' } };
  }
}
