import { StringDecoder } from 'node:string_decoder';

/**
 * Turns one container's log bytes into text (pure state, no I/O): UTF-8 decoded across
 * chunk boundaries and, with a `prefix`, each whole line prefixed (`[container] line`);
 * a line not ended yet waits for its end, or for `end()`.
 */
export class LogText {
  readonly #decoder = new StringDecoder('utf8');
  readonly #prefix: string | undefined;
  #partial = '';

  constructor(prefix?: string) {
    this.#prefix = prefix;
  }

  push(bytes: Buffer): string {
    const text = this.#decoder.write(bytes);
    if (this.#prefix === undefined) return text;
    const all = this.#partial + text;
    const cut = all.lastIndexOf('\n') + 1;
    this.#partial = all.slice(cut);
    return all
      .slice(0, cut)
      .split('\n')
      .slice(0, -1)
      .map((l) => `${this.#prefix}${l}\n`)
      .join('');
  }

  end(): string {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    if (rest === '') return '';
    return this.#prefix === undefined ? rest : `${this.#prefix}${rest}\n`;
  }
}

/** The API server path of a container's log (pure). */
export function podLogPath(r: {
  namespace: string;
  pod: string;
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tail_lines?: number;
  since_seconds?: number;
}): string {
  const q = new URLSearchParams();
  if (r.container) q.set('container', r.container);
  if (r.follow) q.set('follow', 'true');
  if (r.previous) q.set('previous', 'true');
  if (r.timestamps) q.set('timestamps', 'true');
  if (r.tail_lines !== undefined) q.set('tailLines', String(r.tail_lines));
  if (r.since_seconds !== undefined) q.set('sinceSeconds', String(r.since_seconds));
  const qs = q.toString();
  return `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/log${qs ? `?${qs}` : ''}`;
}

/** Every container of a pod spec, in `kubectl logs --all-containers` order: init, regular, ephemeral. */
export function containersOf(pod: {
  spec?: {
    initContainers?: { name: string }[];
    containers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
}): string[] {
  const s = pod.spec ?? {};
  return [...(s.initContainers ?? []), ...(s.containers ?? []), ...(s.ephemeralContainers ?? [])].map(
    (c) => c.name,
  );
}

const DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container';

/**
 * The containers whose logs a request reads (pure), as `kubectl logs` picks them: every
 * one with `all_containers`; the named one, which must exist; else the pod's only
 * container or its `kubectl.kubernetes.io/default-container`; else an error naming the choices.
 */
export function chooseContainers(
  pod: Parameters<typeof containersOf>[0] & {
    metadata?: { name?: string; annotations?: Record<string, string> };
  },
  r: { container?: string; all_containers: boolean },
): { containers: string[] } | { error: string } {
  const all = containersOf(pod);
  const name = pod.metadata?.name ?? '';
  if (r.all_containers) return { containers: all };
  if (r.container) {
    if (all.includes(r.container)) return { containers: [r.container] };
    return {
      error: `container "${r.container}" is not valid for pod "${name}", choose one of: ${all.join(', ')}`,
    };
  }
  const regular = (pod.spec?.containers ?? []).map((c) => c.name);
  const preferred = pod.metadata?.annotations?.[DEFAULT_CONTAINER];
  if (preferred && all.includes(preferred)) return { containers: [preferred] };
  if (regular.length === 1) return { containers: regular };
  return {
    error: `a container name must be specified for pod "${name}", choose one of: ${all.join(', ')}`,
  };
}
