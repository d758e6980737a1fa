/** Replacement for anything secret in messages, commands, stderr and bodies. */
export const REDACTED = '***';

const PATTERNS: [RegExp, string][] = [
  // credentials in URLs: https://user:token@host, ssh://user@host keeps nothing of the user info
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]+@/gi, `$1${REDACTED}@`],
  // HTTP authorization headers and bearer tokens
  [/(authorization:\s*)(basic|bearer|token)\s+\S+/gi, `$1$2 ${REDACTED}`],
  [/\bbearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, `Bearer ${REDACTED}`],
  // well-known token shapes
  [/\bAGE-SECRET-KEY-1[0-9A-Z]+/g, `AGE-SECRET-KEY-${REDACTED}`],
  [/\b(gh[pousr]_)[A-Za-z0-9]{20,}/g, `$1${REDACTED}`],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, `github_pat_${REDACTED}`],
  // tokens in query strings or form bodies
  [/([?&](?:access_token|refresh_token|token|client_secret|password)=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/("(?:access_token|refresh_token|client_secret|password)"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`],
];

/**
 * Removes secrets from text: every listed secret (and its URL-encoded and base64 forms) plus
 * well-known shapes (credentials in URLs, Authorization headers, age secret keys, GitHub tokens).
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Adds a secret. Values shorter than 4 characters are ignored (they would shred ordinary text). */
  add(secret: string | undefined | null): this {
    if (!secret || secret.length < 4) return this;
    this.#secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.#secrets.add(encoded);
    this.#secrets.add(base64(secret));
    return this;
  }

  redact(text: string): string {
    let out = text;
    // longest first, so a secret containing another is removed whole
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join(REDACTED);
    }
    for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
    return out;
  }
}

/** Base64 of the UTF-8 bytes of `s` (without Node's Buffer: this module is pure). */
function base64(s: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** One-off redaction. */
export function redact(text: string, secrets: Iterable<string | undefined | null> = []): string {
  return new Redactor(secrets).redact(text);
}

/** Cuts long output (stderr, response bodies) to a size fit for an error message. */
export function truncate(text: string, max = 4000): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** Joins argv into a readable command line (quoting words with spaces), then redacts it. */
export function formatCommand(file: string, args: readonly string[], redactor: Redactor): string {
  const words = [file, ...args].map((a) =>
    /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`,
  );
  return redactor.redact(words.join(' '));
}
