/**
 * Loading an ImportCluster from a file set: the main file, its `from_file`,
 * `include`, inline and base64 content, variables; then the checks across
 * the definition. `loadDefinition` returns every diagnostic and a model only
 * when there is no error: nothing is ever applied from an invalid definition.
 */
import { isMap, isScalar } from 'yaml';
import { readApplications } from './applications.ts';
import { readFileField } from './content.ts';
import {
  DefinitionValidationError,
  type Diagnostic,
  DiagnosticSink,
  hasErrors,
  sortDiagnostics,
} from './diagnostics.ts';
import type { LoadState, StackDraft } from './drafts.ts';
import { type FileSource, InvalidRepoPathError, normalizeRepoPath, repoDirname } from './fileSource.ts';
import { readMemberList } from './members.ts';
import type { ClusterDefinition, GitProvider, GitRepository, HelmRegistry, Stack } from './model.ts';
import { readLogSource, readPrometheusMetrics } from './observability.ts';
import { fileOrigin, parseYamlText } from './positions.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  describeNode,
  getNode,
  has,
  isNullNode,
  loc,
  mapLoc,
  missing,
  type ReadCtx,
  readMap,
  readNumber,
  readSeq,
  readString,
  readStringList,
  wrongType,
} from './reader.ts';
import { checkCycles, checkDuplicates, checkParents, checkRegistries } from './references.ts';
import {
  CLUSTER_NAME,
  EXAMPLES,
  GIT_PROVIDERS,
  GIT_REPOSITORY_FIELDS,
  HELM_REGISTRY_FIELDS,
  LIMITS,
  MEMBER_NAME,
  MEMBER_NAME_MAX,
  METADATA_FIELDS,
  SPEC_FIELDS,
  STACK_FIELDS,
  TOP_FIELDS,
  VARIABLE_NAME,
} from './schema.ts';

export interface LoadResult {
  /** Present only when there is no error. */
  definition?: ClusterDefinition;
  /** Errors and warnings, sorted by file, line, column. */
  diagnostics: Diagnostic[];
  /** Every repository file read (also when invalid). */
  files: string[];
}

export interface LoadOptions {
  /**
   * What the root of the file set is, for messages: `repository` (default,
   * a Git checkout) or `root folder` (a folder on disk outside Git).
   */
  rootLabel?: string;
}

/**
 * Loads and validates `path` (relative to the root of `source`). Every path
 * the definition names is relative to the folder holding that file. Never
 * throws on bad input.
 */
export function loadDefinition(source: FileSource, path: string, opts: LoadOptions = {}): LoadResult {
  const sink = new DiagnosticSink();
  let file: string;
  try {
    file = normalizeRepoPath(path);
  } catch (e) {
    if (!(e instanceof InvalidRepoPathError)) throw e;
    sink.error({ file: path, line: 1, column: 1 }, '', 'invalid-path', e.message);
    return { diagnostics: sink.items, files: [] };
  }
  const state: LoadState = {
    source,
    sink,
    baseDir: repoDirname(file),
    rootLabel: opts.rootLabel ?? source.rootLabel ?? 'repository',
    files: new Set(),
    registries: [],
    registryUses: [],
    stacks: [],
  };
  const text = source.readFile(file);
  if (text === undefined) {
    sink.error(
      { file, line: 1, column: 1 },
      '',
      'file-not-found',
      `the cluster definition ${JSON.stringify(file)} does not exist`,
    );
    return { diagnostics: sink.items, files: [] };
  }
  state.files.add(file);
  const definition = readMain(state, file, text);
  checkRegistries(state);
  checkDuplicates(state.stacks, sink);
  const edges = checkParents(state.stacks, sink);
  checkCycles(state.stacks, edges, sink);
  const diagnostics = sortDiagnostics(sink.items);
  const files = [...state.files].sort();
  if (hasErrors(diagnostics) || !definition) return { diagnostics, files };
  definition.files = files;
  return { definition, diagnostics, files };
}

/** Diagnostics only. */
export function validateDefinition(source: FileSource, path: string, opts: LoadOptions = {}): Diagnostic[] {
  return loadDefinition(source, path, opts).diagnostics;
}

/** The model, or a `DefinitionValidationError` carrying every diagnostic. */
export function loadDefinitionOrThrow(
  source: FileSource,
  path: string,
  opts: LoadOptions = {},
): ClusterDefinition {
  const r = loadDefinition(source, path, opts);
  if (!r.definition) throw new DefinitionValidationError(r.diagnostics);
  return r.definition;
}

function readMain(state: LoadState, file: string, text: string): ClusterDefinition | undefined {
  const pt = parseYamlText(text, fileOrigin(file), state.sink, '', false);
  if (!pt) return undefined;
  const ctx: ReadCtx = { pt, sink: state.sink };
  const root = pt.docs[0]?.contents;
  if (!isMap(root)) {
    state.sink.error(
      loc(ctx, root),
      '',
      'wrong-type',
      `a cluster definition must be a mapping with apiVersion, kind, metadata and spec, got ${describeNode(root)}`,
    );
    return undefined;
  }
  const top = root as AnyMap;
  const what = 'the cluster definition';
  checkKeys(ctx, top, '', TOP_FIELDS, what);
  const apiVersion = readString(ctx, top, '', 'apiVersion', { what, required: EXAMPLES.apiVersion! });
  if (apiVersion !== undefined && apiVersion !== 'v1')
    state.sink.error(
      loc(ctx, getNode(top, 'apiVersion')),
      'apiVersion',
      'invalid-value',
      `apiVersion must be "v1", got ${JSON.stringify(apiVersion)}`,
    );
  const kind = readString(ctx, top, '', 'kind', { what, required: EXAMPLES.kind! });
  if (kind !== undefined && kind !== 'ImportCluster')
    state.sink.error(
      loc(ctx, getNode(top, 'kind')),
      'kind',
      'invalid-value',
      `kind must be "ImportCluster", got ${JSON.stringify(kind)}`,
    );

  let name = '';
  let description: string | undefined;
  const metadata = readMap(ctx, top, '', 'metadata');
  if (!metadata) {
    if (isNullNode(getNode(top, 'metadata'))) missing(ctx, top, '', 'metadata', what, EXAMPLES.metadata!);
  } else {
    checkKeys(ctx, metadata, 'metadata', METADATA_FIELDS, 'metadata');
    const n = readString(ctx, metadata, 'metadata', 'name', {
      what: 'metadata',
      required: EXAMPLES['metadata.name']!,
    });
    if (n !== undefined) {
      if (CLUSTER_NAME.test(n)) name = n;
      else
        state.sink.error(
          loc(ctx, getNode(metadata, 'name')),
          'metadata.name',
          'invalid-name',
          `cluster name "${n}" may hold only letters, digits and hyphens, starting and ending with a letter or digit`,
        );
    }
    description = readString(ctx, metadata, 'metadata', 'description', { what: 'metadata' });
  }

  const def: ClusterDefinition = {
    apiVersion: 'v1',
    kind: 'ImportCluster',
    name,
    ...(description !== undefined ? { description } : {}),
    helmRegistries: state.registries,
    stacks: [],
    file,
    files: [],
  };
  const spec = readMap(ctx, top, '', 'spec');
  if (!spec) {
    if (isNullNode(getNode(top, 'spec'))) missing(ctx, top, '', 'spec', what, EXAMPLES.spec!);
    return def;
  }
  checkKeys(ctx, spec, 'spec', SPEC_FIELDS, 'spec');
  const git = readGitRepository(ctx, spec);
  if (git) def.gitRepository = git;
  readHelmRegistries(state, ctx, spec);
  const prometheusMetrics = readPrometheusMetrics(ctx, spec);
  if (prometheusMetrics) def.prometheusMetrics = prometheusMetrics;
  const logSource = readLogSource(ctx, spec);
  if (logSource) def.logSource = logSource;
  const stacks = readSeq(ctx, spec, 'spec', 'stacks', 'a list of stacks');
  stacks?.items.forEach((item, i) => {
    const sd = readStack(state, ctx, item, childPath('spec.stacks', i));
    if (sd) def.stacks.push(sd.stack);
  });
  return def;
}

function readGitRepository(ctx: ReadCtx, spec: AnyMap): GitRepository | undefined {
  const m = readMap(ctx, spec, 'spec', 'git_repository');
  if (!m) return undefined;
  const path = 'spec.git_repository';
  const what = 'git_repository';
  checkKeys(ctx, m, path, GIT_REPOSITORY_FIELDS, what);
  const provider = readString(ctx, m, path, 'provider', {
    what,
    required: EXAMPLES['git_repository.provider']!,
  });
  if (provider !== undefined && !GIT_PROVIDERS.includes(provider as GitProvider)) {
    ctx.sink.error(
      loc(ctx, getNode(m, 'provider')),
      childPath(path, 'provider'),
      'invalid-value',
      `unknown git provider ${JSON.stringify(provider)}: use ${GIT_PROVIDERS.join(', ')}`,
    );
    return undefined;
  }
  const out: GitRepository = { provider: (provider ?? 'git') as GitProvider };
  const opt = (key: string): string | undefined => readString(ctx, m, path, key, { what });
  const fields: [keyof GitRepository, string][] = [
    ['credentialName', 'credential_name'],
    ['repository', 'repository'],
    ['branch', 'branch'],
    ['workspace', 'workspace'],
    ['repoSlug', 'repo_slug'],
    ['projectKey', 'project_key'],
    ['instanceUrl', 'instance_url'],
  ];
  for (const [prop, key] of fields) {
    const v = opt(key);
    if (v !== undefined) (out as unknown as Record<string, string>)[prop] = v;
  }
  return provider === undefined ? undefined : out;
}

function readHelmRegistries(state: LoadState, ctx: ReadCtx, spec: AnyMap): void {
  const seq = readSeq(ctx, spec, 'spec', 'helm_registries', 'a list of registries');
  if (!seq) return;
  seq.items.forEach((item, i) => {
    const path = childPath('spec.helm_registries', i);
    if (!isMap(item)) {
      wrongType(ctx, item, path, `helm_registries[${i}]`, 'a mapping with name and url');
      return;
    }
    const m = item as AnyMap;
    const what = 'helm registry';
    checkKeys(ctx, m, path, HELM_REGISTRY_FIELDS, what);
    const name = readString(ctx, m, path, 'name', { what, required: EXAMPLES['helm_registry.name']! });
    const url = readString(ctx, m, path, 'url', { what, required: EXAMPLES['helm_registry.url']! });
    const credentialName = readString(ctx, m, path, 'credential_name', { what });
    const excludeCharts = readStringList(ctx, m, path, 'exclude_charts') ?? [];
    if (url !== undefined && !/^(https?|oci):\/\/[^\s/]+(\/\S*)?$/.test(url)) {
      ctx.sink.error(
        loc(ctx, getNode(m, 'url')),
        childPath(path, 'url'),
        'invalid-url',
        `"url" must be an http://, https:// or oci:// URL, got ${JSON.stringify(url)}`,
      );
      return;
    }
    if (name === undefined || url === undefined) return;
    const clean = url.replace(/\/+$/, '');
    const reg: HelmRegistry = {
      name,
      url: clean,
      oci: clean.startsWith('oci://'),
      ...(credentialName !== undefined ? { credentialName } : {}),
      excludeCharts,
      source: { ...loc(ctx, getNode(m, 'url')), path },
    };
    state.registries.push(reg);
  });
}

function readVariables(ctx: ReadCtx, map: AnyMap, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const m = readMap(ctx, map, path, 'variables', 'a mapping of NAME: value');
  if (!m) return out;
  const vpath = childPath(path, 'variables');
  for (const p of m.items) {
    if (!isScalar(p.key) || typeof p.key.value !== 'string') {
      wrongType(ctx, p.key, vpath, 'variables', 'a mapping with string names');
      continue;
    }
    const k = p.key.value;
    if (!VARIABLE_NAME.test(k)) {
      ctx.sink.error(
        loc(ctx, p.key),
        childPath(vpath, k),
        'invalid-name',
        `variable name "${k}" may hold only letters, digits, "_" and "-", starting with a letter or "_"`,
      );
      continue;
    }
    const v = p.value;
    if (isNullNode(v)) out[k] = '';
    else if (
      isScalar(v) &&
      (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')
    )
      out[k] = typeof v.value === 'string' ? v.value : String(v.source ?? v.value);
    else wrongType(ctx, v, childPath(vpath, k), k, 'a string, number or boolean');
  }
  return out;
}

function readStack(state: LoadState, ctx: ReadCtx, item: unknown, path: string): StackDraft | undefined {
  if (!isMap(item)) {
    wrongType(ctx, item, path, path.slice(path.lastIndexOf('.') + 1), 'a stack (a mapping with name: ...)');
    return undefined;
  }
  const m = item as AnyMap;
  checkKeys(ctx, m, path, STACK_FIELDS, 'stack');
  const name = readString(ctx, m, path, 'name', { what: 'stack', required: EXAMPLES['stack.name']! });
  const nameNode = getNode(m, 'name');
  const nameLoc = isNullNode(nameNode) ? mapLoc(ctx, m) : loc(ctx, nameNode);
  let named = name !== undefined;
  if (name !== undefined && (!MEMBER_NAME.test(name) || name.length > MEMBER_NAME_MAX)) {
    named = false;
    ctx.sink.error(
      nameLoc,
      childPath(path, 'name'),
      'invalid-name',
      `stack name "${name}" may hold only letters, digits, "-", "_" and "." and must start and end with a letter or digit`,
    );
  }
  const what = name ? `stack "${name}"` : 'stack';
  let description = readString(ctx, m, path, 'description', { what });
  if (has(m, 'description') && has(m, 'description_from_file')) {
    ctx.sink.error(
      loc(ctx, getNode(m, 'description_from_file')),
      childPath(path, 'description_from_file'),
      'conflicting-fields',
      `${what} takes "description" or "description_from_file", not both`,
    );
  } else if (has(m, 'description_from_file')) {
    const f = readFileField(state, ctx, m, path, 'description_from_file');
    if (f) description = f.text.trim();
  }
  const deployWave = readNumber(ctx, m, path, 'deploy_wave', { ...LIMITS.deployWave, integer: true });
  const stack: Stack = {
    name: name ?? '',
    ...(description !== undefined ? { description } : {}),
    ...(deployWave !== undefined ? { deployWave } : {}),
    variables: readVariables(ctx, m, path),
    manifests: [],
    addons: [],
    applications: [],
    source: { ...mapLoc(ctx, m), path },
  };
  const sd: StackDraft = {
    stack,
    index: state.stacks.length,
    nameLoc,
    namePath: childPath(path, 'name'),
    named,
    members: [],
  };
  state.stacks.push(sd);
  const visiting = new Set([ctx.pt.origin.file]);
  const manifests = readSeq(ctx, m, path, 'manifests', 'a list of manifests');
  if (manifests)
    readMemberList(state, ctx, manifests, childPath(path, 'manifests'), 'manifest', sd, visiting);
  const addons = readSeq(ctx, m, path, 'addons', 'a list of add-ons');
  if (addons) readMemberList(state, ctx, addons, childPath(path, 'addons'), 'addon', sd, visiting);
  const applications = readSeq(ctx, m, path, 'applications', 'a list of applications');
  if (applications) readApplications(ctx, applications, childPath(path, 'applications'), sd);
  return sd;
}
