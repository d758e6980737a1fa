/** A problem with one message: its payload failed the subject's schema or was not JSON. */
export interface BusIssue {
  /** Dotted path of the offending field (`addons_inspected`, `payload.chart`); empty for the whole message. */
  path: string;
  message: string;
}

/** Base class of the bus's errors: each names the subject it concerns. */
export class BusError extends Error {
  readonly subject: string;
  constructor(subject: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BusError';
    this.subject = subject;
  }
}

/** A subject or cluster id that is not allowed (wildcards where a concrete subject is needed, unsafe tokens). */
export class BusSubjectError extends BusError {
  constructor(subject: string, message: string) {
    super(subject, message);
    this.name = 'BusSubjectError';
  }
}

/** A payload that is not JSON or does not match the schema known for its subject. */
export class BusMessageError extends BusError {
  readonly issues: BusIssue[];
  constructor(subject: string, issues: BusIssue[], options?: ErrorOptions) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super(subject, `invalid message on "${subject}": ${detail}`, options);
    this.name = 'BusMessageError';
    this.issues = issues;
  }
}

/** A request that got no reply within its timeout. */
export class BusTimeoutError extends BusError {
  readonly timeoutMs: number;
  constructor(subject: string, timeoutMs: number, options?: ErrorOptions) {
    super(subject, `request on "${subject}" timed out after ${timeoutMs} ms`, options);
    this.name = 'BusTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** A request on a subject nobody subscribes to (fails at once, not after the timeout). */
export class NoRespondersError extends BusError {
  constructor(subject: string, options?: ErrorOptions) {
    super(subject, `no responders on "${subject}"`, options);
    this.name = 'NoRespondersError';
  }
}

/** An operation on a bus (or a command of a bus) that was closed. */
export class BusClosedError extends BusError {
  constructor(subject = '', options?: ErrorOptions) {
    super(subject, subject ? `bus closed (subject "${subject}")` : 'bus closed', options);
    this.name = 'BusClosedError';
  }
}

/**
 * A publish or subscription the connection's permissions refuse: the NATS server's
 * permissions violation, or the rule of an `InProcessBus` with `permissions`.
 */
export class BusPermissionError extends BusError {
  readonly operation: 'publish' | 'subscribe';
  constructor(subject: string, operation: 'publish' | 'subscribe', options?: ErrorOptions) {
    super(subject, `permissions violation: ${operation} to "${subject}" is not allowed`, options);
    this.name = 'BusPermissionError';
    this.operation = operation;
  }
}
