import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENCRYPT_MARKER_REGEX, leafKeyRegex, markEncryptedPaths } from './encryptedPaths.ts';
import { type CommandFailure, GitopsError, SopsDecryptError, SopsEncryptError, SopsError } from './errors.ts';
import { formatCommand, Redactor, truncate } from './redact.ts';
import { baseEnvironment, runProcess } from './run.ts';

export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'binary';

export interface SopsOptions {
  /** The sops program (default `sops` on PATH). */
  binary?: string;
  /** An age identity file (SOPS_AGE_KEY_FILE). */
  ageKeyFile?: string;
  /** Age identities as text (SOPS_AGE_KEY), e.g. from a Kubernetes Secret. Kept in memory only. */
  ageKey?: string;
  /** Per run (default 60 s). */
  timeoutMs?: number;
  /** Where private temporary directories are made (default the OS temp dir). */
  tmpDir?: string;
}

export interface EncryptOptions {
  format?: SopsFormat;
  /** age recipients (public keys, `age1…`). */
  recipients: string[];
  /**
   * `encrypted_paths` of the definition: only these values get encrypted, every other key and
   * value stays readable. YAML: exactly these paths (marked with a comment sops is told to
   * honour). JSON: every key named like a path's leaf. Empty or absent: every value.
   */
  encryptedPaths?: readonly string[];
}

export interface EncryptResult {
  text: string;
  /** Paths that were encrypted, as found in the document (YAML only). */
  encryptedPaths: string[];
  /** Requested paths that matched nothing in the document (YAML only). */
  unmatchedPaths: string[];
}

/**
 * The sops adapter: the only code that spawns `sops`. Plaintext goes through stdin and stdout
 * only; sops runs in a private 0700 temporary directory (its HOME and cwd, holding just a config
 * file) that is removed right after, so decrypted text never lands on disk. Errors carry the
 * command, exit code and stderr with secrets and plaintext values redacted.
 */
export class Sops {
  readonly #o: SopsOptions;

  constructor(opts: SopsOptions = {}) {
    this.#o = opts;
  }

  /** Decrypts SOPS-encrypted text in memory. */
  async decrypt(text: string, opts: { format?: SopsFormat } = {}): Promise<string> {
    const format = opts.format ?? 'yaml';
    const args = ['decrypt', '--input-type', format, '--output-type', format];
    // the input holds ciphertext and values meant to stay readable: nothing of it to redact
    return this.#run(args, text, { creation_rules: [] }, 'decrypt', []);
  }

  /** Reads an encrypted file and decrypts it in memory; the format follows the extension. */
  async decryptFile(path: string, opts: { format?: SopsFormat } = {}): Promise<string> {
    const text = await readFile(path, 'utf8');
    return this.decrypt(text, { format: opts.format ?? formatFromPath(path) });
  }

  /** Encrypts plaintext for age recipients, keeping keys (and values outside encryptedPaths) readable. */
  async encrypt(plaintext: string, opts: EncryptOptions): Promise<EncryptResult> {
    const format = opts.format ?? 'yaml';
    if (opts.recipients.length === 0)
      throw new GitopsError('invalid_input', 'sops encrypt needs at least one age recipient');
    for (const r of opts.recipients) {
      if (!/^age1[0-9a-z]+$/.test(r))
        throw new GitopsError('invalid_input', `not an age recipient: ${JSON.stringify(r)}`);
    }
    const rule: Record<string, string> = { age: opts.recipients.join(',') };
    let input = plaintext;
    let encryptedPaths: string[] = [];
    let unmatchedPaths: string[] = [];
    const paths = opts.encryptedPaths ?? [];
    if (paths.length > 0) {
      if (format === 'yaml') {
        let marked: ReturnType<typeof markEncryptedPaths>;
        try {
          marked = markEncryptedPaths(plaintext, paths);
        } catch {
          // never echo the parser's message: it quotes the offending (secret) line
          throw new SopsEncryptError('the text to encrypt is not valid YAML', {
            command: 'sops encrypt',
            exitCode: null,
            stderr: '',
          });
        }
        input = marked.text;
        encryptedPaths = marked.marked;
        unmatchedPaths = marked.unmatched;
        rule.encrypted_comment_regex = ENCRYPT_MARKER_REGEX;
      } else if (format === 'json') {
        rule.encrypted_regex = leafKeyRegex(paths);
      } else {
        throw new GitopsError(
          'invalid_input',
          `encrypted paths are supported for yaml and json, not ${format}`,
        );
      }
    }
    const args = [
      'encrypt',
      '--input-type',
      format,
      '--output-type',
      format,
      '--filename-override',
      `input.${format}`,
    ];
    const text = await this.#run(
      args,
      input,
      { creation_rules: [rule] },
      'encrypt',
      plaintextSecrets(plaintext),
    );
    return { text, encryptedPaths, unmatchedPaths };
  }

  /** `sops --version` (first line). */
  async version(): Promise<string> {
    return (
      (
        await this.#run(['--version', '--disable-version-check'], '', { creation_rules: [] }, 'decrypt', [])
      ).split('\n')[0] ?? ''
    );
  }

  async #run(
    args: string[],
    stdin: string,
    config: unknown,
    kind: 'encrypt' | 'decrypt',
    secrets: string[],
  ): Promise<string> {
    const redactor = new Redactor([this.#o.ageKey, ...secrets]);
    const binary = this.#o.binary ?? 'sops';
    const dir = await mkdtemp(join(this.#o.tmpDir ?? tmpdir(), 'mooring-sops-'));
    try {
      await chmod(dir, 0o700);
      const configFile = join(dir, 'sops.yaml');
      await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
      const fullArgs = ['--config', configFile, ...args];
      const command = formatCommand(binary, fullArgs, redactor);
      const env: Record<string, string> = {
        ...baseEnvironment(),
        // a private HOME: no stray ~/.config/sops/age/keys.txt or ~/.ssh keys are picked up
        HOME: dir,
        XDG_CONFIG_HOME: dir,
        LC_ALL: 'C',
      };
      if (this.#o.ageKeyFile) env.SOPS_AGE_KEY_FILE = this.#o.ageKeyFile;
      if (this.#o.ageKey) env.SOPS_AGE_KEY = this.#o.ageKey;
      let result: Awaited<ReturnType<typeof runProcess>>;
      try {
        result = await runProcess(binary, fullArgs, {
          cwd: dir,
          env,
          stdin,
          timeoutMs: this.#o.timeoutMs ?? 60_000,
        });
      } catch (e) {
        throw new SopsError(`could not start sops: ${(e as Error).message}`, {
          command,
          exitCode: null,
          stderr: '',
          cause: e,
        });
      }
      if (result.exitCode !== 0 || result.timedOut) {
        const failure: CommandFailure = {
          command,
          exitCode: result.exitCode,
          stderr: truncate(redactor.redact(result.stderr.trim())),
        };
        const summary = summarise(failure.stderr, result.timedOut);
        throw kind === 'decrypt'
          ? new SopsDecryptError(`sops could not decrypt: ${summary}`, failure)
          : new SopsEncryptError(`sops could not encrypt: ${summary}`, failure);
      }
      return result.stdout.toString('utf8');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** True when the text is a SOPS-encrypted document (a top-level `sops` mapping with a mac or version). */
export function isSopsEncrypted(text: string, format: SopsFormat = 'yaml'): boolean {
  if (format === 'dotenv') return /^sops_(?:mac|version)=/m.test(text);
  if (format === 'binary') return isSopsEncrypted(text, 'json');
  const fallback = () => /^sops:\s*$/m.test(text) || /"sops"\s*:\s*\{/.test(text);
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return fallback();
    return docs.some((d) => {
      const v = d.toJS() as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const meta = (v as Record<string, unknown>).sops;
      return (
        typeof meta === 'object' &&
        meta !== null &&
        ('mac' in meta || 'version' in meta || 'lastmodified' in meta)
      );
    });
  } catch {
    return fallback();
  }
}

export function formatFromPath(path: string): SopsFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.env') return 'dotenv';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return 'binary';
}

/** Every scalar value (and line) of a document, so none can appear in an error message. */
function plaintextSecrets(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.length >= 4) out.add(t);
    const v = /^[^:#]+:\s*(.+)$/.exec(t)?.[1]?.trim();
    if (v && v.length >= 4) out.add(v.replace(/^["']|["']$/g, ''));
  }
  return [...out];
}

function summarise(stderr: string, timedOut: boolean): string {
  if (timedOut) return 'timed out';
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.find((l) => /failed to get the data key|mac mismatch|metadata not found|error/i.test(l)) ??
    lines[0] ??
    'no output'
  );
}
