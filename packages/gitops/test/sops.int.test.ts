import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  isSopsEncrypted,
  leafKeyRegex,
  markEncryptedPaths,
  parseEncryptedPath,
  Sops,
  SopsDecryptError,
  SopsEncryptError,
} from '../src/index.ts';

const SOPS = binaryPath('sops');
let work: string;
let keyFile: string;
let publicKey: string;
let otherKeyFile: string;
let privateTmp: string;

function keygen(path: string): string {
  execFileSync('age-keygen', ['-o', path], { stdio: 'ignore' });
  return /# public key: (\S+)/.exec(readFileSync(path, 'utf8'))?.[1] ?? '';
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mooring-gitops-sops-'));
  keyFile = join(work, 'age.key');
  publicKey = keygen(keyFile);
  otherKeyFile = join(work, 'other.key');
  keygen(otherKeyFile);
  privateTmp = join(work, 'private-tmp');
  execFileSync('mkdir', ['-p', privateTmp]);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const VALUES = `auth:
  username: admin
  password: hunter2-very-secret
image:
  tag: "1.2.3"
replicas: 3
`;

describe('sops adapter with the real sops binary', () => {
  it('encrypts only encrypted_paths, keeps other keys readable, and round-trips', async () => {
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile, tmpDir: privateTmp });
    const enc = await sops.encrypt(VALUES, { recipients: [publicKey], encryptedPaths: ['auth.password'] });
    expect(enc.encryptedPaths).toEqual(['auth.password']);
    expect(enc.unmatchedPaths).toEqual([]);
    expect(isSopsEncrypted(enc.text)).toBe(true);
    expect(enc.text).not.toContain('hunter2-very-secret');
    const doc = parse(enc.text) as {
      auth: { username: string; password: string };
      image: { tag: string };
      replicas: number;
    };
    expect(doc.auth.username).toBe('admin');
    expect(doc.auth.password).toMatch(/^ENC\[AES256_GCM,/);
    expect(doc.image.tag).toBe('1.2.3');
    expect(doc.replicas).toBe(3);

    const plain = await sops.decrypt(enc.text);
    expect(parse(plain)).toEqual(parse(VALUES));
    // nothing left behind in the private temporary directory
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('a leading dot is a literal key; a path not found from the root matches at any depth', async () => {
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: harbor-pull
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6e319
`;
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile });
    const enc = await sops.encrypt(secret, {
      recipients: [publicKey],
      encryptedPaths: ['.dockerconfigjson', 'missing.path'],
    });
    expect(enc.encryptedPaths).toEqual(['data..dockerconfigjson']);
    expect(enc.unmatchedPaths).toEqual(['missing.path']);
    const doc = parse(enc.text) as { metadata: { name: string }; data: Record<string, string> };
    expect(doc.metadata.name).toBe('harbor-pull');
    expect(doc.data['.dockerconfigjson']).toMatch(/^ENC\[/);
    expect(parse(await sops.decrypt(enc.text))).toEqual(parse(secret));
  });

  it('encrypts only the named key, not a same-named key elsewhere (YAML)', async () => {
    const text = 'auth:\n  password: one-secret\nother:\n  password: stays-readable\n';
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile });
    const enc = await sops.encrypt(text, { recipients: [publicKey], encryptedPaths: ['auth.password'] });
    const doc = parse(enc.text) as { auth: { password: string }; other: { password: string } };
    expect(doc.auth.password).toMatch(/^ENC\[/);
    expect(doc.other.password).toBe('stays-readable');
  });

  it('encrypts a whole subtree when the path names a mapping', async () => {
    const text = 'credentials:\n  user: u\n  tokens: [aaaa, bbbb]\nname: x\n';
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile });
    const enc = await sops.encrypt(text, { recipients: [publicKey], encryptedPaths: ['credentials'] });
    const doc = parse(enc.text) as { credentials: { user: string; tokens: string[] }; name: string };
    expect(doc.credentials.user).toMatch(/^ENC\[/);
    expect(doc.credentials.tokens.every((t) => t.startsWith('ENC['))).toBe(true);
    expect(doc.name).toBe('x');
  });

  it('encrypts JSON by leaf key names and decrypts it', async () => {
    const json = JSON.stringify({ auth: { password: 'json-secret-1' }, name: 'keep' });
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile });
    const enc = await sops.encrypt(json, {
      format: 'json',
      recipients: [publicKey],
      encryptedPaths: ['auth.password'],
    });
    const doc = JSON.parse(enc.text) as { auth: { password: string }; name: string };
    expect(doc.name).toBe('keep');
    expect(doc.auth.password).toMatch(/^ENC\[/);
    expect(isSopsEncrypted(enc.text, 'json')).toBe(true);
    expect(JSON.parse(await sops.decrypt(enc.text, { format: 'json' }))).toEqual(JSON.parse(json));
  });

  it('encrypts every value without encrypted_paths; decrypts with the key given as text (SOPS_AGE_KEY)', async () => {
    const enc = await new Sops({ binary: SOPS }).encrypt(VALUES, { recipients: [publicKey] });
    const doc = parse(enc.text) as { auth: { username: string } };
    expect(doc.auth.username).toMatch(/^ENC\[/);
    const ageKey = readFileSync(keyFile, 'utf8');
    const plain = await new Sops({ binary: SOPS, ageKey }).decrypt(enc.text);
    expect(parse(plain)).toEqual(parse(VALUES));
  });

  it('decrypts a file by path, picking the format from its extension', async () => {
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile });
    const enc = await sops.encrypt(VALUES, { recipients: [publicKey], encryptedPaths: ['auth.password'] });
    const file = join(work, 'values.enc.yaml');
    writeFileSync(file, enc.text);
    expect(parse(await sops.decryptFile(file))).toEqual(parse(VALUES));
  });

  it('a wrong key → SopsDecryptError with command and exit code, no plaintext, no key', async () => {
    const enc = await new Sops({ binary: SOPS }).encrypt(VALUES, {
      recipients: [publicKey],
      encryptedPaths: ['auth.password'],
    });
    const otherKey = readFileSync(otherKeyFile, 'utf8');
    const err = await new Sops({ binary: SOPS, ageKey: otherKey }).decrypt(enc.text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SopsDecryptError);
    const e = err as SopsDecryptError;
    expect(e.code).toBe('decrypt');
    expect(e.exitCode).not.toBe(0);
    expect(e.command).toContain('decrypt');
    expect(e.message).toMatch(/data key/i);
    const everything = JSON.stringify({ m: e.message, c: e.command, s: e.stderr, st: e.stack });
    expect(everything).not.toContain('hunter2-very-secret');
    const secretKeyLine = otherKey.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-')) ?? 'x';
    expect(everything).not.toContain(secretKeyLine);
  });

  it('no key at all → SopsDecryptError (a stray default key file is never used)', async () => {
    const enc = await new Sops({ binary: SOPS }).encrypt(VALUES, { recipients: [publicKey] });
    await expect(new Sops({ binary: SOPS }).decrypt(enc.text)).rejects.toBeInstanceOf(SopsDecryptError);
  });

  it('tampering with a readable value breaks the MAC → SopsDecryptError', async () => {
    const sops = new Sops({ binary: SOPS, ageKeyFile: keyFile });
    const enc = await sops.encrypt(VALUES, { recipients: [publicKey], encryptedPaths: ['auth.password'] });
    const tampered = enc.text.replace('replicas: 3', 'replicas: 30');
    await expect(sops.decrypt(tampered)).rejects.toBeInstanceOf(SopsDecryptError);
  });

  it('invalid input to encrypt → SopsEncryptError without the plaintext', async () => {
    const bad = 'password: [unterminated-secret-value\n';
    const sops = new Sops({ binary: SOPS });
    for (const encryptedPaths of [['password'], []]) {
      const err = await sops
        .encrypt(bad, { recipients: [publicKey], encryptedPaths })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SopsEncryptError);
      const e = err as SopsEncryptError;
      expect(JSON.stringify({ m: e.message, s: e.stderr, c: e.command })).not.toContain(
        'unterminated-secret-value',
      );
    }
  });

  it('a missing binary → SopsError', async () => {
    await expect(new Sops({ binary: join(work, 'no-sops') }).decrypt('a: 1')).rejects.toMatchObject({
      name: 'SopsError',
    });
  });
});

describe('detection and paths (no binary)', () => {
  const cases: [string, string, boolean][] = [
    ['plain yaml', 'a: 1\n', false],
    ['a key named sops that is not metadata', 'sops: enabled\n', false],
    ['sops metadata', 'a: ENC[x]\nsops:\n  mac: ENC[y]\n  version: 3.13.3\n', true],
    ['json metadata', '{"a":"ENC[x]","sops":{"mac":"ENC[y]","version":"3.13.3"}}', true],
    ['broken yaml with metadata', 'a: [\nsops:\n', true],
  ];
  it.each(cases)('isSopsEncrypted: %s', (_n, text, want) => {
    expect(isSopsEncrypted(text)).toBe(want);
  });

  it('parses dot paths with literal leading-dot keys', () => {
    expect(parseEncryptedPath('auth.password')).toEqual(['auth', 'password']);
    expect(parseEncryptedPath('.dockerconfigjson')).toEqual(['.dockerconfigjson']);
    expect(parseEncryptedPath('data..dockerconfigjson')).toEqual(['data', '.dockerconfigjson']);
    expect(leafKeyRegex(['auth.password', '.dockerconfigjson'])).toBe('^(?:password|\\.dockerconfigjson)$');
  });

  it('marks keys in every document of a multi-document file', () => {
    const r = markEncryptedPaths('a:\n  s: 1\n---\nb:\n  s: 2\n', ['s']);
    expect(r.marked).toEqual(['a.s', 'b.s']);
    expect(r.text.match(/# mooring:encrypt/g)).toHaveLength(2);
    expect(r.text).toContain('---');
  });

  it('does not write plaintext to the private dir it removes (no files left)', () => {
    expect(existsSync(privateTmp) ? readdirSync(privateTmp) : []).toEqual([]);
  });
});
