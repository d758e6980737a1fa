/**
 * Reading `manifests:` and `addons:` entries (and the `include:` entries
 * among them) into members of a stack.
 */
import { type Document, isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { readTextField, resolveRepoPath, substituteInText, type TextSource } from './content.ts';
import type { Location } from './diagnostics.ts';
import type { LoadState, MemberDraft, StackDraft } from './drafts.ts';
import { expandInclude } from './include.ts';
import type {
  AddonMember,
  AddonValues,
  ChartRegistry,
  KubeObject,
  ManifestMember,
  MemberKind,
  NamespaceMigrationStrategy,
} from './model.ts';
import { readAgentsMd, readGroup } from './notes.ts';
import { readParents } from './parents.ts';
import { fileOrigin, isPlainNumber, locate, type ParsedText, parseYamlText } from './positions.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  describeNode,
  getNode,
  getPair,
  has,
  isNullNode,
  loc,
  mapLoc,
  missing,
  type ReadCtx,
  readBool,
  readMap,
  readString,
  readStringList,
  scalarSource,
  wrongType,
} from './reader.ts';
import {
  ADDON_FIELDS,
  ADDON_NAME_MAX,
  CONFIGURATION_FIELDS,
  EXAMPLES,
  MANIFEST_FIELDS,
  MEMBER_NAME,
  MEMBER_NAME_MAX,
  NAMESPACE_MIGRATION_STRATEGIES,
  RFC1123_LABEL,
  RFC1123_LABEL_MAX,
} from './schema.ts';
import { scanSecretObject, scanValuesForSecrets } from './secrets.ts';
import { readJobConfiguration, readSettings } from './settings.ts';
import { suggest } from './suggest.ts';

/** Reads a `manifests:` or `addons:` list, expanding includes in place. */
export function readMemberList(
  state: LoadState,
  ctx: ReadCtx,
  seq: { items: unknown[] },
  listPath: string,
  kind: MemberKind,
  sd: StackDraft,
  visiting: ReadonlySet<string>,
): void {
  seq.items.forEach((item, i) => {
    readEntry(state, ctx, item, childPath(listPath, i), kind, sd, visiting);
  });
}

function readEntry(
  state: LoadState,
  ctx: ReadCtx,
  item: unknown,
  path: string,
  kind: MemberKind,
  sd: StackDraft,
  visiting: ReadonlySet<string>,
): void {
  if (!isMap(item)) {
    wrongType(
      ctx,
      item,
      path,
      path.slice(path.lastIndexOf('.') + 1),
      `a ${kind} entry (a mapping with name: ...) or include: PATH`,
    );
    return;
  }
  const map = item as AnyMap;
  if (getPair(map, 'include')) {
    expandInclude(
      state,
      ctx,
      map,
      path,
      kind,
      visiting,
      (c, node, p, v) => readEntry(state, c, node, p, kind, sd, v),
      (pt, file, name, p) => manifestFromObjectsFile(state, pt, file, name, p, sd),
    );
    return;
  }
  if (kind === 'manifest') readManifestEntry(state, ctx, map, path, sd);
  else readAddonEntry(state, ctx, map, path, sd);
}

/** A manifest made from an included file of Kubernetes objects (named after the file). */
export function manifestFromObjectsFile(
  state: LoadState,
  pt: ParsedText,
  file: string,
  name: string,
  path: string,
  sd: StackDraft,
): void {
  const at = pt.origin.map(1, 1);
  const objects = collectObjects(state, pt, path, []);
  const m: ManifestMember = {
    kind: 'manifest',
    name,
    stack: sd.stack.name,
    parents: [],
    text: pt.text,
    objects,
    contentFile: file,
    encryptedPaths: [],
    force: false,
    autoRemediate: false,
    source: { ...at, path },
  };
  const ok = MEMBER_NAME.test(name) && name.length <= MEMBER_NAME_MAX;
  if (!ok)
    state.sink.error(
      at,
      path,
      'invalid-name',
      `manifest name "${name}" (from the file name) may hold only letters, digits, "-", "_" and "." and must start and end with a letter or digit`,
    );
  sd.stack.manifests.push(m);
  sd.members.push({ member: m, nameLoc: at, namePath: path, named: ok, parents: [], stackIndex: sd.index });
}

export function checkName(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  what: string,
  example: string,
  rule: 'label' | 'member',
): { name: string; loc: Location; ok: boolean } {
  const name = readString(ctx, map, path, 'name', { what, required: example });
  const node = getNode(map, 'name');
  const at = isNullNode(node) ? mapLoc(ctx, map) : loc(ctx, node);
  if (name === undefined) return { name: '', loc: at, ok: false };
  let ok = true;
  if (rule === 'label') {
    if (!RFC1123_LABEL.test(name) || name.length > ADDON_NAME_MAX) {
      ok = false;
      ctx.sink.error(
        at,
        childPath(path, 'name'),
        'invalid-name',
        `${what} name "${name}" must be a lowercase RFC 1123 label of at most ${ADDON_NAME_MAX} characters (a-z, 0-9, "-"; it names the Helm release)`,
      );
    }
  } else if (!MEMBER_NAME.test(name) || name.length > MEMBER_NAME_MAX) {
    ok = false;
    ctx.sink.error(
      at,
      childPath(path, 'name'),
      'invalid-name',
      `${what} name "${name}" may hold only letters, digits, "-", "_" and "." and must start and end with a letter or digit`,
    );
  }
  return { name, loc: at, ok };
}

export function readNamespace(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  what: string,
  required: boolean,
): string | undefined {
  const ns = readString(ctx, map, path, 'namespace', {
    what,
    ...(required ? { required: EXAMPLES['addon.namespace']! } : {}),
  });
  if (ns === undefined) return undefined;
  if (!RFC1123_LABEL.test(ns) || ns.length > RFC1123_LABEL_MAX) {
    ctx.sink.error(
      loc(ctx, getNode(map, 'namespace')),
      childPath(path, 'namespace'),
      'invalid-namespace',
      `namespace "${ns}" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    );
    return undefined;
  }
  return ns;
}

function readMigrationStrategy(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  what: string,
): NamespaceMigrationStrategy {
  const v = readString(ctx, map, path, 'namespace_migration_strategy', { what });
  if (v === undefined) return 'keep_data';
  if ((NAMESPACE_MIGRATION_STRATEGIES as readonly string[]).includes(v))
    return v as NamespaceMigrationStrategy;
  const guess = suggest(v, NAMESPACE_MIGRATION_STRATEGIES);
  ctx.sink.error(
    loc(ctx, getNode(map, 'namespace_migration_strategy')),
    childPath(path, 'namespace_migration_strategy'),
    'invalid-value',
    `"namespace_migration_strategy" of ${what} must be one of ${NAMESPACE_MIGRATION_STRATEGIES.join(', ')}, got ${JSON.stringify(v)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
    'keep_data (default): move, keep the old PersistentVolumeClaims; delete_data: move and delete them; leave_old: install in the new namespace and leave the old release',
  );
  return 'keep_data';
}

/** Exactly one of `keys` (or none, when `optional`). Returns the key present. */
function exactlyOne(
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  keys: readonly string[],
  what: string,
): string | undefined {
  // In file order, so the later field is the one reported.
  const present = map.items
    .map((p) => (isScalar(p.key) ? String(p.key.value) : ''))
    .filter((k) => keys.includes(k) && has(map, k));
  if (present.length > 1) {
    ctx.sink.error(
      loc(ctx, getPair(map, present[1]!)!.key),
      childPath(path, present[1]!),
      'conflicting-fields',
      `${what} takes exactly one of ${keys.map((k) => `"${k}"`).join(', ')}; found ${present.map((k) => `"${k}"`).join(' and ')}`,
    );
  }
  return present[0];
}

/** Checks the documents of manifest content and returns the objects. */
function collectObjects(
  state: LoadState,
  pt: ParsedText,
  fieldPath: string,
  encryptedPaths: string[],
): KubeObject[] {
  const objects: KubeObject[] = [];
  pt.docs.forEach((doc, d) => {
    const root = doc.contents;
    if (isNullNode(root)) return;
    const where = pt.docs.length > 1 ? ` (document ${d + 1})` : '';
    const at = locate(pt, root as never);
    if (!isMap(root)) {
      state.sink.error(
        at,
        fieldPath,
        'invalid-manifest',
        `a Kubernetes object must be a mapping, got ${describeNode(root)}${where}`,
      );
      return;
    }
    const rm = root as AnyMap;
    const problems: string[] = [];
    for (const k of ['apiVersion', 'kind']) {
      const v = getNode(rm, k);
      if (!isScalar(v) || typeof v.value !== 'string' || v.value === '') problems.push(`"${k}"`);
    }
    const meta = getNode(rm, 'metadata');
    const metaName = isMap(meta)
      ? (getNode(meta as AnyMap, 'name') ?? getNode(meta as AnyMap, 'generateName'))
      : undefined;
    if (!isScalar(metaName) || typeof metaName.value !== 'string' || metaName.value === '')
      problems.push('"metadata.name"');
    if (problems.length > 0) {
      state.sink.error(
        at,
        fieldPath,
        'invalid-manifest',
        `Kubernetes object${where} is missing ${problems.join(', ')} (for example: apiVersion: v1, kind: ConfigMap, metadata: { name: my-config })`,
      );
      return;
    }
    scanSecretObject(pt, root, encryptedPaths, fieldPath, state.sink);
    const js = toJS(state, pt, doc, at, fieldPath);
    if (js) objects.push(js as KubeObject);
  });
  return objects;
}

function toJS(
  state: LoadState,
  _pt: ParsedText,
  doc: Document.Parsed,
  at: Location,
  fieldPath: string,
): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    state.sink.error(at, fieldPath, 'yaml-syntax', `YAML could not be read: ${(e as Error).message}`);
    return undefined;
  }
}

/** Parses content; positions map to the file (from_file) or to the inline field. */
function parseContent(state: LoadState, ts: TextSource, multi: boolean): ParsedText | undefined {
  return parseYamlText(ts.text, ts.origin, state.sink, ts.fieldPath, multi);
}

export function readManifestEntry(
  state: LoadState,
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  sd: StackDraft,
): void {
  checkKeys(ctx, map, path, MANIFEST_FIELDS, 'manifest');
  const n = checkName(ctx, map, path, 'manifest', EXAMPLES['manifest.name']!, 'member');
  const what = n.name ? `manifest "${n.name}"` : 'manifest';
  const namespace = readNamespace(ctx, map, path, what, false);
  const parents = readParents(ctx, map, path);
  const encryptedPaths = readStringList(ctx, map, path, 'encrypted_paths') ?? [];
  const force = readBool(ctx, map, path, 'force') ?? false;
  const autoRemediate = readBool(ctx, map, path, 'auto_remediate') ?? false;
  const group = readGroup(ctx, map, path, what);
  const agentsMd = readAgentsMd(state, ctx, map, path, what);
  const override = has(map, 'dependencies_override')
    ? readParents(ctx, map, path, 'dependencies_override')
    : undefined;
  const contentKey = exactlyOne(ctx, map, path, ['from_file', 'manifest', 'manifest_base64'], what);
  let text = '';
  let objects: KubeObject[] = [];
  let contentFile: string | undefined;
  if (contentKey === undefined) {
    ctx.sink.error(
      n.ok ? n.loc : mapLoc(ctx, map),
      path,
      'missing-content',
      `${what} has no content: add one of "from_file", "manifest" or "manifest_base64" (for example: ${EXAMPLES['manifest.content']})`,
    );
  } else {
    const node = getNode(map, contentKey);
    if (contentKey === 'manifest' && (isMap(node) || isSeq(node))) {
      // Structured inline YAML: one object (a mapping) or several (a list).
      const items = isSeq(node) ? node.items : [node];
      const fieldPath = childPath(path, 'manifest');
      for (const it of items) {
        if (!isMap(it)) {
          ctx.sink.error(
            loc(ctx, it),
            fieldPath,
            'invalid-manifest',
            `a Kubernetes object must be a mapping, got ${describeNode(it)}`,
          );
          continue;
        }
        scanSecretObject(ctx.pt, it, encryptedPaths, fieldPath, state.sink);
        objects.push((it as AnyMap).toJSON() as KubeObject);
      }
      text = ctx.pt.text.slice(node.range?.[0] ?? 0, node.range?.[1] ?? 0);
    } else {
      const raw = readTextField(state, ctx, map, path, contentKey);
      if (raw) {
        const ts = substituteInText(state, raw, sd.stack.variables);
        contentFile = ts.file;
        text = ts.text;
        const pt = parseContent(state, ts, true);
        if (pt) {
          objects = collectObjects(state, pt, ts.fieldPath, encryptedPaths);
          if (
            objects.length === 0 &&
            state.sink.items.every((d) => d.path !== ts.fieldPath || d.severity !== 'error')
          )
            state.sink.error(
              ts.file ? pt.origin.map(1, 1) : loc(ctx, node),
              ts.fieldPath,
              'empty-manifest',
              `${what} holds no Kubernetes object`,
              'an empty manifest would apply nothing: add the objects, or remove the entry',
            );
        }
      }
    }
  }
  const m: ManifestMember = {
    kind: 'manifest',
    name: n.name,
    stack: sd.stack.name,
    ...(namespace !== undefined ? { namespace } : {}),
    parents: (override ?? parents).map((p) => ({ kind: p.kind, name: p.name })),
    text,
    objects,
    ...(contentFile !== undefined ? { contentFile } : {}),
    encryptedPaths,
    force,
    autoRemediate,
    ...(group !== undefined ? { group } : {}),
    ...(agentsMd !== undefined ? { agentsMd } : {}),
    ...(override !== undefined
      ? { dependenciesOverride: override.map((p) => ({ kind: p.kind, name: p.name })) }
      : {}),
    source: { ...mapLoc(ctx, map), path },
  };
  sd.stack.manifests.push(m);
  sd.members.push({
    member: m,
    nameLoc: n.loc,
    namePath: childPath(path, 'name'),
    named: n.ok,
    // what orders the member: the override when given (its entries are checked like parents)
    parents: override ?? parents,
    stackIndex: sd.index,
  });
}

/** A registry name derived from a `repository_url` (`https://charts.bitnami.com/bitnami` → `charts.bitnami.com-bitnami`). */
export function registryNameFromUrl(url: string): string {
  return url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/[^A-Za-z0-9.]+/g, '-');
}

const URL_RE = /^(https?|oci):\/\/[^\s/]+(\/\S*)?$/;

function readUrl(ctx: ReadCtx, map: AnyMap, path: string, key: string, what: string): string | undefined {
  const url = readString(ctx, map, path, key, { what });
  if (url === undefined) return undefined;
  if (!URL_RE.test(url)) {
    ctx.sink.error(
      loc(ctx, getNode(map, key)),
      childPath(path, key),
      'invalid-url',
      `"${key}" must be an http://, https:// or oci:// URL, got ${JSON.stringify(url)}`,
    );
    return undefined;
  }
  return url.replace(/\/+$/, '');
}

function readRegistry(
  state: LoadState,
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  what: string,
): ChartRegistry | undefined {
  const credentialName = readString(ctx, map, path, 'registry_credential_name', { what });
  const cred = credentialName !== undefined ? { credentialName } : {};
  const repoUrl = readUrl(ctx, map, path, 'repository_url', what);
  const regName = readString(ctx, map, path, 'registry_name', { what });
  const regUrl = readUrl(ctx, map, path, 'registry_url', what);
  if (has(map, 'repository_url') && has(map, 'registry_url')) {
    ctx.sink.error(
      loc(ctx, getPair(map, 'repository_url')!.key),
      childPath(path, 'repository_url'),
      'conflicting-fields',
      `${what} gives both "registry_url" and "repository_url": keep registry_name + registry_url`,
    );
    return undefined;
  }
  if (repoUrl !== undefined) {
    const name = regName ?? registryNameFromUrl(repoUrl);
    const url = repoUrl;
    if (regName !== undefined)
      state.registryUses.push({
        name,
        url,
        loc: loc(ctx, getNode(map, 'repository_url')),
        path: childPath(path, 'repository_url'),
        what,
      });
    return { name, url, oci: url.startsWith('oci://'), ...cred };
  }
  if (regName !== undefined && regUrl !== undefined) {
    state.registryUses.push({
      name: regName,
      url: regUrl,
      loc: loc(ctx, getNode(map, 'registry_url')),
      path: childPath(path, 'registry_url'),
      what,
    });
    return { name: regName, url: regUrl, oci: regUrl.startsWith('oci://'), ...cred };
  }
  if (regName !== undefined) {
    const known = state.registries.find((r) => r.name === regName);
    if (known)
      return {
        name: regName,
        url: known.url,
        oci: known.oci,
        ...(credentialName !== undefined
          ? cred
          : known.credentialName
            ? { credentialName: known.credentialName }
            : {}),
      };
    missing(ctx, map, path, 'registry_url', what, EXAMPLES['addon.registry_url']!);
    return undefined;
  }
  if (regUrl !== undefined) {
    missing(ctx, map, path, 'registry_name', what, EXAMPLES['addon.registry_name']!);
    return undefined;
  }
  if (has(map, 'registry_url') || has(map, 'repository_url')) return undefined; // invalid URL, reported
  ctx.sink.error(
    mapLoc(ctx, map),
    childPath(path, 'registry_name'),
    'missing-registry',
    `${what} has no chart registry: add registry_name + registry_url (for example: registry_name: fluent, registry_url: https://fluent.github.io/helm-charts) or repository_url`,
  );
  return undefined;
}

function readChartVersion(ctx: ReadCtx, map: AnyMap, path: string, what: string): string | undefined {
  const node = getNode(map, 'chart_version');
  if (isPlainNumber(node)) {
    const src = scalarSource(node as Scalar);
    ctx.sink.error(
      loc(ctx, node),
      childPath(path, 'chart_version'),
      'unquoted-chart-version',
      `chart_version ${src} is a YAML number (read as ${String((node as Scalar).value)}): quote it as "${src}"`,
    );
    return undefined;
  }
  return readString(ctx, map, path, 'chart_version', { what, required: EXAMPLES['addon.chart_version']! });
}

function readConfigurationType(ctx: ReadCtx, map: AnyMap, path: string, what: string): boolean {
  const ct = readString(ctx, map, path, 'configuration_type', { what });
  if (ct === undefined) return false;
  if (ct !== 'standalone') {
    ctx.sink.error(
      loc(ctx, getNode(map, 'configuration_type')),
      childPath(path, 'configuration_type'),
      'invalid-value',
      `configuration_type must be "standalone", got ${JSON.stringify(ct)}`,
    );
    return false;
  }
  return true;
}

function readValues(
  state: LoadState,
  ctx: ReadCtx,
  conf: AnyMap,
  path: string,
  what: string,
  encryptedPaths: string[],
  variables: Readonly<Record<string, string>>,
): AddonValues {
  const empty: AddonValues = { text: '', parsed: {} };
  const key = exactlyOne(
    ctx,
    conf,
    path,
    ['values', 'values_base64', 'from_file'],
    `the configuration of ${what}`,
  );
  if (key === undefined) return empty;
  const node = getNode(conf, key);
  if (key === 'values' && isMap(node)) {
    scanValuesForSecrets(ctx.pt, node, encryptedPaths, childPath(path, key), state.sink);
    return {
      text: ctx.pt.text.slice(node.range?.[0] ?? 0, node.range?.[1] ?? 0),
      parsed: (node as AnyMap).toJSON(),
    };
  }
  const raw = readTextField(state, ctx, conf, path, key);
  if (!raw) return empty;
  return parseValuesText(state, substituteInText(state, raw, variables), what, encryptedPaths);
}

/** Values text (from a file or base64) parsed and checked: a YAML mapping, secrets scanned. */
function parseValuesText(
  state: LoadState,
  ts: TextSource,
  what: string,
  encryptedPaths: string[],
): AddonValues {
  const pt = parseYamlText(ts.text, ts.origin, state.sink, ts.fieldPath, false);
  const base: AddonValues = { text: ts.text, parsed: {}, ...(ts.file ? { file: ts.file } : {}) };
  if (!pt) return base;
  const doc = pt.docs[0]!;
  const root = doc.contents;
  if (isNullNode(root)) return base;
  if (!isMap(root)) {
    state.sink.error(
      locate(pt, root as never),
      ts.fieldPath,
      'values-not-mapping',
      `Helm values of ${what} must be a YAML mapping (key: value), got ${describeNode(root)}`,
    );
    return base;
  }
  scanValuesForSecrets(pt, root, encryptedPaths, ts.fieldPath, state.sink);
  const js = toJS(state, pt, doc, locate(pt, root as never), ts.fieldPath);
  return { ...base, parsed: (js ?? {}) as Record<string, unknown> };
}

/**
 * `configuration.values_files`: a list of paths (relative to the folder of the
 * cluster file; `../` reaches other folders of the repository), each a values
 * file layered in order under the add-on's own values.
 */
function readValuesFiles(
  state: LoadState,
  ctx: ReadCtx,
  conf: AnyMap,
  path: string,
  what: string,
  encryptedPaths: string[],
  variables: Readonly<Record<string, string>>,
): NonNullable<AddonValues['layers']> | undefined {
  const node = getNode(conf, 'values_files');
  if (node === undefined || isNullNode(node)) return undefined;
  const p = childPath(path, 'values_files');
  if (!isSeq(node)) {
    wrongType(ctx, node, p, 'values_files', 'a list of paths, e.g. [../../shared/values/base.yaml]');
    return undefined;
  }
  const layers: NonNullable<AddonValues['layers']> = [];
  node.items.forEach((item, i) => {
    const ip = `${p}[${i}]`;
    if (!isScalar(item) || typeof item.value !== 'string') {
      wrongType(ctx, item, ip, 'values_files', 'a path relative to the folder of the cluster definition');
      return;
    }
    const file = resolveRepoPath(state, ctx, item as Scalar, ip, 'values_files');
    if (file === undefined) return;
    const text = state.source.readFile(file);
    if (text === undefined) {
      ctx.sink.error(
        loc(ctx, item),
        ip,
        'file-not-found',
        `"values_files" names ${JSON.stringify(String(item.value))} (${file}), which does not exist in the ${state.rootLabel}`,
      );
      return;
    }
    state.files.add(file);
    const v = parseValuesText(
      state,
      substituteInText(state, { text, origin: fileOrigin(file), file, fieldPath: ip }, variables),
      what,
      encryptedPaths,
    );
    layers.push({ file, text: v.text, parsed: v.parsed });
  });
  return layers;
}

export function readAddonEntry(
  state: LoadState,
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  sd: StackDraft,
): void {
  checkKeys(ctx, map, path, ADDON_FIELDS, 'add-on');
  const n = checkName(ctx, map, path, 'add-on', EXAMPLES['addon.name']!, 'label');
  const what = n.name ? `add-on "${n.name}"` : 'add-on';
  const chartName = readString(ctx, map, path, 'chart_name', {
    what,
    required: EXAMPLES['addon.chart_name']!,
  });
  const chartVersion = readChartVersion(ctx, map, path, what);
  const namespace = readNamespace(ctx, map, path, what, true);
  const registry = readRegistry(state, ctx, map, path, what);
  const parents = readParents(ctx, map, path);
  const group = readGroup(ctx, map, path, what);
  const agentsMd = readAgentsMd(state, ctx, map, path, what);
  const namespaceMigrationStrategy = readMigrationStrategy(ctx, map, path, what);
  let standalone = readConfigurationType(ctx, map, path, what);
  const settings = readSettings(ctx, map, path);
  const jobConfiguration = readJobConfiguration(ctx, map, path);
  const encryptedPaths = readStringList(ctx, map, path, 'encrypted_paths') ?? [];
  let values: AddonValues = { text: '', parsed: {} };
  const conf = readMap(ctx, map, path, 'configuration');
  if (conf) {
    const confPath = childPath(path, 'configuration');
    checkKeys(ctx, conf, confPath, CONFIGURATION_FIELDS, 'configuration');
    encryptedPaths.push(...(readStringList(ctx, conf, confPath, 'encrypted_paths') ?? []));
    standalone = readConfigurationType(ctx, conf, confPath, what) || standalone;
    values = readValues(state, ctx, conf, confPath, what, encryptedPaths, sd.stack.variables);
    const layers = readValuesFiles(state, ctx, conf, confPath, what, encryptedPaths, sd.stack.variables);
    if (layers?.length) values = { ...values, layers };
  }
  const m: AddonMember = {
    kind: 'addon',
    name: n.name,
    stack: sd.stack.name,
    namespace: namespace ?? '',
    chart: {
      name: chartName ?? '',
      version: chartVersion ?? '',
      registry: registry ?? { name: '', url: '', oci: false },
      nameSource: { ...loc(ctx, getNode(map, 'chart_name')), path: childPath(path, 'chart_name') },
      versionSource: { ...loc(ctx, getNode(map, 'chart_version')), path: childPath(path, 'chart_version') },
    },
    parents: parents.map((p) => ({ kind: p.kind, name: p.name })),
    values,
    encryptedPaths,
    settings,
    jobConfiguration,
    standalone,
    ...(group !== undefined ? { group } : {}),
    ...(agentsMd !== undefined ? { agentsMd } : {}),
    namespaceMigrationStrategy,
    source: { ...mapLoc(ctx, map), path },
  };
  sd.stack.addons.push(m);
  const draft: MemberDraft = {
    member: m,
    nameLoc: n.loc,
    namePath: childPath(path, 'name'),
    named: n.ok,
    parents,
    stackIndex: sd.index,
  };
  sd.members.push(draft);
}
