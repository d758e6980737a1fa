/** A Kubernetes `Status` object, as the API server returns it with an error. */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
}

/**
 * The API server answered with an error status. `code` is the HTTP status (404, 409, 410,
 * 422...), `body` the `Status` object it sent (or its text when it was not JSON).
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly code: number;
  readonly body: KubeStatus | string;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, code: number, body: KubeStatus | string) {
    super(`${method} ${path}: HTTP ${code}: ${messageOf(code, body)}`);
    this.code = code;
    this.body = body;
    this.method = method;
    this.path = path;
  }
  /** The Status's reason (`NotFound`, `AlreadyExists`, `Conflict`, `Expired`...), when there is one. */
  get reason(): string | undefined {
    return typeof this.body === 'object' ? this.body.reason : undefined;
  }
}

function messageOf(code: number, body: KubeStatus | string): string {
  if (typeof body === 'object' && body.message) return body.message;
  const text = typeof body === 'string' ? body.trim().split('\n')[0]!.slice(0, 300) : '';
  return text || `status ${code}`;
}

/** An error answer's body: its `Status` when it is JSON, else its text (pure). */
export function statusBody(text: string): KubeStatus | string {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as KubeStatus) : text;
  } catch {
    return text;
  }
}

/** The HTTP status of a failed request, when the API server answered. */
export function errorCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
}
