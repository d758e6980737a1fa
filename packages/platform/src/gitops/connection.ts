import { loadDefinition, MemoryFileSource } from '@mooring/core';
import { type LocateResult, locateRepository } from './location.ts';

/** A cluster's GitOps connection as its stored definition configures it (pure). */
export interface ClusterConnection {
  /** The ImportCluster's path in the repository (as stored at import). */
  path: string;
  located: LocateResult;
}

export function connectionOf(c: {
  definition_text: string;
  definition_path: string;
  definition_files: string;
}): ClusterConnection {
  const files = JSON.parse(c.definition_files) as Record<string, string>;
  let located: LocateResult;
  try {
    const r = loadDefinition(
      new MemoryFileSource({ ...files, [c.definition_path]: c.definition_text }),
      c.definition_path,
    );
    located = r.definition
      ? locateRepository(r.definition.gitRepository)
      : { ok: false, reason: 'the stored definition does not load' };
  } catch (e) {
    located = { ok: false, reason: `the stored definition does not load: ${(e as Error).message}` };
  }
  return { path: c.definition_path, located };
}
