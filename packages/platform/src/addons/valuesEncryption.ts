import { isSopsEncryptedValue, parseEncryptedPath } from '@mooring/core';
import { isSopsEncrypted, Sops } from '@mooring/gitops';
import { z } from 'zod';
import type { UserPrincipal } from '../auth/principal.ts';
import { findCluster } from '../clusters/queries.ts';
import type { Database } from '../db/types.ts';
import { type DraftsService, recipientsFor } from '../drafts/service.ts';
import { Workspace } from '../drafts/workspace.ts';
import { ConflictError, NotFoundError, UpstreamError, ValidationError } from '../errors.ts';
import type { DefinitionFetcher } from '../gitops/fetchDefinition.ts';
import { storedMembers } from './catalog.ts';

export const encryptValuesBodySchema = z
  .object({
    paths: z
      .array(z.string().min(1).max(512))
      .min(1)
      .max(500)
      .describe('keys of the add-on’s values to encrypt, as `encrypted_paths` writes them (`auth.password`)'),
  })
  .strict();

export const encryptedValuesSchema = z
  .object({
    file: z
      .string()
      .describe('the values file a publish would encrypt (inline values move to a file of their own)'),
    text: z
      .string()
      .describe(
        'the values file as sops writes it: the chosen keys (and those already in `encrypted_paths`) as `ENC[AES256_GCM,…]`, every other key readable, with the `sops` metadata',
      ),
    encrypted_paths: z.array(z.string()).describe('every path encrypted in `text`'),
    chosen: z.array(z.string()).describe('the paths asked for'),
    recipients: z
      .array(z.string())
      .describe('the age recipients of the repository’s `.sops.yaml` for `file`'),
    commit: z.string().describe('the branch head `.sops.yaml` was read at'),
  })
  .meta({ id: 'EncryptedValues' });
export type EncryptedValuesView = z.infer<typeof encryptedValuesSchema>;

export interface ValuesEncryptionOptions {
  db: Database;
  /** The repository a cluster's definition is read from, and its credential (the drafts' `connectionOf`). */
  connection: DraftsService['connectionOf'];
  /** The syncs' reader of the Git cache (`gitops.definitions`): one reader per cache. */
  fetcher: Pick<DefinitionFetcher, 'headReader'>;
  /** The sops adapter (default `sops` on PATH). */
  sops?: Sops;
}

/** The value at `keys` in a values tree, or `undefined` when a key is missing (pure). */
function valueAt(values: unknown, keys: readonly string[]): unknown {
  let v = values;
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || !(k in (v as object))) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const covers = (path: string[], keys: string[]) =>
  path.length > 0 && path.length <= keys.length && path.every((seg, i) => seg === '*' || seg === keys[i]);

/**
 * The encrypted preview of an add-on's values: what a Stack Builder draft that adds the chosen
 * keys to the add-on's `encrypted_paths` would commit, encrypted now with the platform's sops
 * adapter for the recipients of the repository's `.sops.yaml`. Nothing is stored, and the
 * plaintext of a chosen value is never returned nor logged (the adapter redacts its errors).
 */
export class ValuesEncryption {
  readonly #o: ValuesEncryptionOptions;
  readonly #sops: Sops;

  constructor(o: ValuesEncryptionOptions) {
    this.#o = o;
    this.#sops = o.sops ?? new Sops();
  }

  async encrypt(
    p: UserPrincipal,
    clusterId: string,
    name: string,
    paths: string[],
  ): Promise<EncryptedValuesView> {
    const row = await findCluster(this.#o.db, p.organizationId, clusterId);
    if (!row) throw new NotFoundError('cluster', clusterId);
    const m = storedMembers(row.definition_path, row.definition_files).find(
      (x) => x.kind === 'addon' && x.name === name,
    );
    if (!m) throw new NotFoundError('add-on', name);
    const chosen = [...new Set(paths)];
    const existing = m.encryptedPaths.map(parseEncryptedPath);
    for (const path of chosen) {
      const keys = parseEncryptedPath(path);
      const v = valueAt(m.values, keys);
      if (keys.length === 0 || v === undefined)
        throw new ValidationError(`${JSON.stringify(path)} is not a key of the values of ${name}`, [
          { path: 'paths', message: `${JSON.stringify(path)} is not a key of the values of ${name}` },
        ]);
      if (existing.some((e) => covers(e, keys)) || (typeof v === 'string' && isSopsEncryptedValue(v)))
        throw new ConflictError(`${path} of ${name} is already encrypted`);
    }
    const files = JSON.parse(row.definition_files) as Record<string, string>;
    const ws = new Workspace(files, row.definition_path);
    ws.updateMember(
      m.stack,
      'addon',
      name,
      { configuration: { encrypted_paths: [...m.encryptedPaths, ...chosen] } },
      undefined,
    );
    const plan = ws.encryptionPlan().find((e) => e.member === `addon/${name}`);
    const text = plan ? (ws.changes()[plan.file] ?? files[plan.file]) : undefined;
    if (!plan || typeof text !== 'string')
      throw new ConflictError(`the values of ${name} are not in a file the definition reads`);
    if (isSopsEncrypted(text))
      throw new ConflictError(
        `${plan.file} is a SOPS file already: decrypt it, or edit its encrypted keys with sops, to choose more`,
      );
    const conn = await this.#o.connection(p, clusterId);
    let head: Awaited<ReturnType<DefinitionFetcher['headReader']>>;
    let recipients: string[];
    try {
      head = await this.#o.fetcher.headReader(conn.location, conn.credential);
      recipients = await recipientsFor(plan.file, head.read);
    } catch (e) {
      throw new UpstreamError(
        `reading .sops.yaml from ${conn.location.branch} failed: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    if (recipients.length === 0)
      throw new ConflictError(
        `the repository's .sops.yaml names no age recipient for ${plan.file}: add a creation rule with age recipients`,
      );
    let r: Awaited<ReturnType<Sops['encrypt']>>;
    try {
      r = await this.#sops.encrypt(text, { recipients, encryptedPaths: plan.paths });
    } catch (e) {
      // the adapter's message names the command and redacts every plaintext value
      throw new UpstreamError(`sops could not encrypt ${plan.file}: ${(e as Error).message}`, { cause: e });
    }
    return {
      file: plan.file,
      text: r.text,
      encrypted_paths: r.encryptedPaths,
      chosen,
      recipients,
      commit: head.commit,
    };
  }
}
