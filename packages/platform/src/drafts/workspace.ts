/**
 * A cluster's definition as editable files (pure: no I/O). The ImportCluster file and every
 * file it includes are parsed with the `yaml` Document API; stacks, add-ons and manifests are
 * found where they are written (inline in the cluster file, or in files an `include:` names)
 * and edited in place, so comments, key order, quoting and fields Mooring does not know stay
 * as they were. `changes()` returns the files the edits rewrote, each changed only where the
 * edit changed it (yamlText.ts).
 */
import { normalizeRepoPath } from '@mooring/core';
import { parseEncryptedPath } from '@mooring/gitops';
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  Scalar,
  type YAMLMap,
  YAMLSeq,
} from 'yaml';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { mergeEdit, parseDocs, stringifyDocs, styleOf } from './yamlText.ts';

export type MemberKind = 'addon' | 'manifest';
const LIST: Record<MemberKind, 'addons' | 'manifests'> = { addon: 'addons', manifest: 'manifests' };

interface Parsed {
  original: string;
  docs: Document.Parsed[];
}

interface Member {
  kind: MemberKind;
  name: string;
  stack: string;
  /** The file holding the entry (or the objects, for a file of Kubernetes objects). */
  file: string;
  /** The entry's mapping; undefined for a file of Kubernetes objects included as one manifest. */
  node?: YAMLMap;
  /** What holds the entry: a sequence (remove the item) or a document whose root it is. */
  seq?: YAMLSeq;
  doc: Document;
  /** The `- include:` item (and its list) that produced the entry, when included. */
  include?: { seq: YAMLSeq; item: YAMLMap; file: string; target: string };
}

export interface MemberView {
  kind: MemberKind;
  name: string;
  stack: string;
  /** The repository file the entry is written in. */
  file: string;
  /** Every field of the entry as written (fields Mooring does not know too). */
  fields: Record<string, unknown>;
  /** Add-ons: the values text, wherever it is kept (inline, base64 or `from_file`). */
  values?: string;
  /** Manifests: the manifest text, wherever it is kept. */
  manifest?: string;
  /** The file the values or manifest text is read from, when not inline. */
  content_file?: string;
  encrypted_paths: string[];
}

export interface StackView {
  name: string;
  fields: Record<string, unknown>;
  addons: MemberView[];
  manifests: MemberView[];
}

/** A mask shown instead of a plaintext value chosen for encryption. */
export const SECRET_MASK = '(encrypted on publish)';

export class Workspace {
  readonly clusterPath: string;
  readonly baseDir: string;
  readonly #files: Map<string, string | null>;
  readonly #parsed = new Map<string, Parsed>();
  readonly #dirty = new Set<string>();
  readonly #written = new Map<string, string | null>();

  /** `files`: repository path → text (null: deleted in the draft). */
  constructor(files: Record<string, string | null>, clusterPath: string) {
    this.#files = new Map(Object.entries(files));
    this.clusterPath = clusterPath;
    this.baseDir = repoDirname(clusterPath);
  }

  read(path: string): string | undefined {
    if (this.#written.has(path)) return this.#written.get(path) ?? undefined;
    return this.#files.get(path) ?? undefined;
  }

  #paths(): string[] {
    const all = new Set<string>();
    for (const [k, v] of this.#files) if (v !== null) all.add(k);
    for (const [k, v] of this.#written) {
      if (v === null) all.delete(k);
      else all.add(k);
    }
    return [...all].sort();
  }

  /** A path as written in the definition (relative to the cluster folder) → the repository path. */
  resolve(p: string): string {
    try {
      return normalizeRepoPath(this.baseDir ? `${this.baseDir}/${p}` : p);
    } catch {
      throw new ValidationError(`path ${JSON.stringify(p)} leaves the repository`);
    }
  }

  /** The repository path → as the definition writes it (relative to the cluster folder). */
  relative(path: string): string {
    return this.baseDir && path.startsWith(`${this.baseDir}/`) ? path.slice(this.baseDir.length + 1) : path;
  }

  #docs(file: string): Document.Parsed[] {
    let p = this.#parsed.get(file);
    if (!p) {
      const text = this.read(file);
      if (text === undefined) throw new ValidationError(`${file} does not exist`);
      p = { original: text, docs: parseDocs(text, file) };
      this.#parsed.set(file, p);
    }
    return p.docs;
  }

  #touch(file: string): void {
    this.#dirty.add(file);
  }

  #write(file: string, text: string | null): void {
    this.#parsed.delete(file);
    this.#dirty.delete(file);
    this.#written.set(file, text);
  }

  #clusterDoc(): Document.Parsed {
    const docs = this.#docs(this.clusterPath);
    const doc = docs.find((d) => isMap(d.contents) && d.get('kind') === 'ImportCluster') ?? docs[0];
    if (!doc || !isMap(doc.contents))
      throw new ValidationError(`${this.clusterPath} holds no ImportCluster mapping`);
    return doc;
  }

  #stackSeq(create: boolean): YAMLSeq | undefined {
    const doc = this.#clusterDoc();
    let spec = doc.get('spec', true);
    if (!isMap(spec)) {
      if (!create) return undefined;
      doc.set('spec', doc.createNode({}));
      spec = doc.get('spec', true);
    }
    let stacks = (spec as YAMLMap).get('stacks', true);
    if (!isSeq(stacks)) {
      if (!create) return undefined;
      (spec as YAMLMap).set('stacks', new YAMLSeq());
      stacks = (spec as YAMLMap).get('stacks', true);
    }
    return stacks as unknown as YAMLSeq;
  }

  #stacks(): { name: string; node: YAMLMap }[] {
    const seq = this.#stackSeq(false);
    if (!seq) return [];
    return seq.items.filter(isMap).map((node) => ({ name: String(node.get('name') ?? ''), node }));
  }

  #stack(name: string): YAMLMap {
    const s = this.#stacks().find((x) => x.name === name);
    if (!s) throw new NotFoundError('stack', name);
    return s.node;
  }

  /** Every member of a stack, where it is written. */
  #members(stack: string, node: YAMLMap): Member[] {
    const out: Member[] = [];
    const doc = this.#clusterDoc();
    for (const kind of ['manifest', 'addon'] as const) {
      const seq = node.get(LIST[kind], true);
      if (isSeq(seq)) this.#collect(out, kind, stack, seq, this.clusterPath, doc, undefined, new Set());
    }
    return out;
  }

  #collect(
    out: Member[],
    kind: MemberKind,
    stack: string,
    seq: YAMLSeq,
    file: string,
    doc: Document,
    include: Member['include'],
    visiting: Set<string>,
  ): void {
    for (const item of [...seq.items]) {
      if (!isMap(item)) continue;
      const inc = item.get('include');
      if (typeof inc === 'string' && !item.has('name')) {
        const target = this.resolve(inc);
        const files = this.#read(target)
          ? [target]
          : this.#paths().filter((p) => p.startsWith(`${target}/`) && /\.ya?ml$/.test(p));
        for (const f of files) {
          if (visiting.has(f)) continue;
          const v = new Set(visiting).add(f);
          const via = { seq, item, file, target };
          const docs = this.#docs(f);
          const roots = docs.filter(
            (d) => d.contents && !(isScalar(d.contents) && d.contents.value === null),
          );
          if (kind === 'manifest' && roots.some((d) => isKube(d.contents))) {
            out.push({ kind, name: repoBasenameWithoutExt(f), stack, file: f, doc: roots[0]!, include: via });
            continue;
          }
          for (const d of roots) {
            if (isSeq(d.contents)) this.#collect(out, kind, stack, d.contents, f, d, via, v);
            else if (isMap(d.contents)) {
              this.#collectOne(out, kind, stack, d.contents, undefined, f, d, via, v);
            }
          }
        }
        continue;
      }
      this.#collectOne(out, kind, stack, item, seq, file, doc, include, visiting);
    }
  }

  #collectOne(
    out: Member[],
    kind: MemberKind,
    stack: string,
    item: YAMLMap,
    seq: YAMLSeq | undefined,
    file: string,
    doc: Document,
    include: Member['include'],
    visiting: Set<string>,
  ): void {
    const inc = item.get('include');
    if (typeof inc === 'string' && !item.has('name')) {
      const s = new YAMLSeq();
      s.items = [item];
      this.#collect(out, kind, stack, s, file, doc, include, visiting);
      return;
    }
    out.push({
      kind,
      name: String(item.get('name') ?? ''),
      stack,
      file,
      node: item,
      ...(seq ? { seq } : {}),
      doc,
      ...(include ? { include } : {}),
    });
  }

  #read(path: string): boolean {
    return this.read(path) !== undefined;
  }

  #allMembers(): Member[] {
    return this.#stacks().flatMap((s) => this.#members(s.name, s.node));
  }

  #member(stack: string, kind: MemberKind, name: string): Member {
    const m = this.#members(stack, this.#stack(stack)).find((x) => x.kind === kind && x.name === name);
    if (!m) throw new NotFoundError(kind === 'addon' ? 'add-on' : 'manifest', `${stack}/${name}`);
    return m;
  }

  // ---- views -------------------------------------------------------------------------------

  stacks(): StackView[] {
    return this.#stacks().map((s) => this.#stackView(s.name, s.node));
  }

  stack(name: string): StackView {
    return this.#stackView(name, this.#stack(name));
  }

  member(stack: string, kind: MemberKind, name: string): MemberView {
    return this.#memberView(this.#member(stack, kind, name));
  }

  #stackView(name: string, node: YAMLMap): StackView {
    const fields = toJs(node) as Record<string, unknown>;
    delete fields.addons;
    delete fields.manifests;
    const members = this.#members(name, node);
    return {
      name,
      fields,
      addons: members.filter((m) => m.kind === 'addon').map((m) => this.#memberView(m)),
      manifests: members.filter((m) => m.kind === 'manifest').map((m) => this.#memberView(m)),
    };
  }

  #memberView(m: Member): MemberView {
    const fields = m.node ? (toJs(m.node) as Record<string, unknown>) : { name: m.name };
    const content = this.#content(m);
    const encrypted = encryptedPathsOf(m);
    let text = content.text;
    // a plaintext value chosen for encryption is never shown back (SOPS files show their ciphertext)
    if (text !== undefined && encrypted.length > 0 && !/^sops:/m.test(text))
      text = maskPaths(text, encrypted);
    return {
      kind: m.kind,
      name: m.name,
      stack: m.stack,
      file: m.file,
      fields,
      ...(m.kind === 'addon' ? { values: text ?? '' } : { manifest: text ?? '' }),
      ...(content.file !== undefined ? { content_file: content.file } : {}),
      encrypted_paths: encrypted,
    };
  }

  /** Where an entry's text lives: inline, base64, or a file. */
  #content(m: Member): {
    text?: string;
    file?: string;
    where: 'inline' | 'base64' | 'file' | 'objects' | 'none';
  } {
    if (!m.node) return { text: this.read(m.file), file: m.file, where: 'objects' };
    const holder = m.kind === 'addon' ? m.node.get('configuration', true) : m.node;
    if (!isMap(holder)) return { where: 'none' };
    const k = m.kind === 'addon' ? 'values' : 'manifest';
    const inline = holder.get(k);
    if (typeof inline === 'string') return { text: inline, where: 'inline' };
    const b64 = holder.get(`${k}_base64`);
    if (typeof b64 === 'string')
      return { text: Buffer.from(b64, 'base64').toString('utf8'), where: 'base64' };
    const ff = holder.get('from_file');
    if (typeof ff === 'string') {
      const file = this.resolve(ff);
      return { text: this.read(file) ?? '', file, where: 'file' };
    }
    return { where: 'none' };
  }

  // ---- stacks ------------------------------------------------------------------------------

  createStack(name: string, fields: Record<string, unknown>): void {
    if (this.#stacks().some((s) => s.name === name))
      throw new ConflictError(`a stack named ${JSON.stringify(name)} already exists`);
    const doc = this.#clusterDoc();
    const seq = this.#stackSeq(true)!;
    seq.items.push(doc.createNode({ name, ...dropNull(fields) }));
    this.#touch(this.clusterPath);
  }

  updateStack(name: string, patch: Record<string, unknown>): void {
    const node = this.#stack(name);
    const { name: rename, ...rest } = patch;
    if (typeof rename === 'string' && rename !== name) {
      if (this.#stacks().some((s) => s.name === rename))
        throw new ConflictError(`a stack named ${JSON.stringify(rename)} already exists`);
      node.set('name', rename);
    }
    mergeInto(this.#clusterDoc(), node, rest);
    this.#touch(this.clusterPath);
  }

  deleteStack(name: string): void {
    const node = this.#stack(name);
    const members = this.#members(name, node);
    const before = this.#referenced();
    const seq = this.#stackSeq(false)!;
    // members written in included files go with their stack
    for (const m of members) if (m.include) this.#removeIncluded(m);
    seq.items.splice(seq.items.indexOf(node), 1);
    this.#touch(this.clusterPath);
    this.#dropParents(members.map((m) => ({ kind: m.kind, name: m.name })));
    this.#removeOrphans(before);
  }

  // ---- members -----------------------------------------------------------------------------

  /** Adds an add-on or manifest; `text` (values or manifest) goes to a file of its own. */
  createMember(
    stack: string,
    kind: MemberKind,
    name: string,
    fields: Record<string, unknown>,
    text: string | undefined,
  ): void {
    const node = this.#stack(stack);
    if (this.#allMembers().some((m) => m.kind === kind && m.name === name))
      throw new ConflictError(
        `an ${kind === 'addon' ? 'add-on' : 'manifest'} named ${JSON.stringify(name)} already exists`,
      );
    const entry: Record<string, unknown> = { name, ...dropNull(fields) };
    if (text !== undefined) {
      const file = this.#freeFile(kind === 'addon' ? 'values' : 'manifests', stack, name);
      this.#write(file, text);
      if (kind === 'addon') {
        const conf = (entry.configuration ?? {}) as Record<string, unknown>;
        entry.configuration = { from_file: this.relative(file), ...conf };
      } else entry.from_file = this.relative(file);
    }
    // a stack whose list is one included folder gets a new file there; else the entry goes inline
    const seq = node.get(LIST[kind], true);
    const only =
      isSeq(seq) && seq.items.length === 1 && isMap(seq.items[0]) ? (seq.items[0] as YAMLMap) : undefined;
    const folder =
      only && !only.has('name') && typeof only.get('include') === 'string'
        ? this.resolve(String(only.get('include')))
        : undefined;
    if (folder && this.read(folder) === undefined) {
      const file = `${folder}/${name}.yaml`;
      if (this.read(file) !== undefined) throw new ConflictError(`${file} already exists`);
      const doc = parseDocument('{}');
      doc.contents = doc.createNode(kind === 'addon' ? entry : [entry]) as never;
      this.#write(file, doc.toString({ lineWidth: 0 }));
      return;
    }
    const doc = this.#clusterDoc();
    if (isSeq(seq)) seq.items.push(doc.createNode(entry));
    else node.set(LIST[kind], doc.createNode([entry]));
    this.#touch(this.clusterPath);
  }

  /**
   * Changes a member's fields (a JSON merge patch: `null` removes a key, mappings merge, other
   * values replace), its name (parents naming it follow), and its values or manifest text
   * (written where that text lives). A value shown masked keeps the value it had.
   */
  updateMember(
    stack: string,
    kind: MemberKind,
    name: string,
    patch: Record<string, unknown>,
    text: string | undefined,
  ): void {
    const m = this.#member(stack, kind, name);
    const { name: rename, ...rest } = patch;
    if (!m.node && (Object.keys(rest).length > 0 || (typeof rename === 'string' && rename !== name)))
      throw new ConflictError(
        `manifest ${JSON.stringify(name)} is the file ${m.file} of Kubernetes objects: only its text can change`,
      );
    if (m.node) {
      if (typeof rename === 'string' && rename !== name) {
        if (this.#allMembers().some((x) => x.kind === kind && x.name === rename))
          throw new ConflictError(
            `an ${kind === 'addon' ? 'add-on' : 'manifest'} named ${JSON.stringify(rename)} already exists`,
          );
        m.node.set('name', rename);
        this.#renameParents(kind, name, rename);
      }
      mergeInto(m.doc, m.node, rest);
      this.#touch(m.file);
    }
    if (text !== undefined) this.#setText(m, text);
    // values chosen for encryption live in a file of their own (SOPS encrypts files)
    const c = this.#content(m);
    if (m.node && encryptedPathsOf(m).length > 0 && (c.where === 'inline' || c.where === 'base64')) {
      const k = m.kind === 'addon' ? 'values' : 'manifest';
      const holder = (m.kind === 'addon' ? m.node.get('configuration', true) : m.node) as YAMLMap;
      const file = this.#freeFile(m.kind === 'addon' ? 'values' : 'manifests', m.stack, m.name);
      this.#write(file, c.text ?? '');
      holder.delete(k);
      holder.delete(`${k}_base64`);
      holder.set('from_file', this.relative(file));
      this.#touch(m.file);
    }
  }

  #setText(m: Member, text: string): void {
    const content = this.#content(m);
    const encrypted = encryptedPathsOf(m);
    const next =
      encrypted.length > 0 && content.text !== undefined ? unmaskPaths(text, content.text, encrypted) : text;
    if (next === (content.text ?? '')) return;
    const k = m.kind === 'addon' ? 'values' : 'manifest';
    const holder = m.kind === 'addon' ? m.node?.get('configuration', true) : m.node;
    switch (content.where) {
      case 'objects':
      case 'file':
        this.#write(content.file!, next);
        return;
      case 'inline': {
        const scalar = (holder as YAMLMap).get(k, true) as Scalar;
        scalar.value = next;
        this.#touch(m.file);
        return;
      }
      case 'base64':
        (holder as YAMLMap).set(`${k}_base64`, Buffer.from(next, 'utf8').toString('base64'));
        this.#touch(m.file);
        return;
      case 'none': {
        const file = this.#freeFile(m.kind === 'addon' ? 'values' : 'manifests', m.stack, m.name);
        this.#write(file, next);
        if (m.kind === 'addon') {
          if (!isMap(holder))
            m.node!.set('configuration', m.doc.createNode({ from_file: this.relative(file) }));
          else holder.set('from_file', this.relative(file));
        } else m.node!.set('from_file', this.relative(file));
        this.#touch(m.file);
      }
    }
  }

  deleteMember(stack: string, kind: MemberKind, name: string): void {
    const m = this.#member(stack, kind, name);
    const before = this.#referenced();
    if (m.seq) {
      m.seq.items.splice(m.seq.items.indexOf(m.node!), 1);
      this.#touch(m.file);
      if (m.include && m.seq.items.length === 0 && m.file !== this.clusterPath) this.#removeIncluded(m);
    } else this.#removeIncluded(m);
    this.#dropParents([{ kind, name }]);
    this.#removeOrphans(before);
  }

  /** Removes a member that is a whole included file: the file, and the include entry when it named that file. */
  #removeIncluded(m: Member): void {
    if (!m.include) return;
    if (m.file !== this.clusterPath) this.#write(m.file, null);
    if (m.include.target === m.file) {
      const { seq, item, file } = m.include;
      const i = seq.items.indexOf(item);
      if (i >= 0) seq.items.splice(i, 1);
      if (file !== this.clusterPath || this.#parsed.has(file)) this.#touch(file);
    }
  }

  #renameParents(kind: MemberKind, from: string, to: string): void {
    for (const x of this.#allMembers()) {
      const parents = x.node?.get('parents', true);
      if (!isSeq(parents)) continue;
      for (const p of parents.items) {
        if (!isMap(p)) continue;
        if (p.get(kind) === from) p.set(kind, to);
        else if (p.get('name') === from && (p.get('kind') ?? kind) === kind) p.set('name', to);
        else continue;
        this.#touch(x.file);
      }
    }
  }

  #dropParents(gone: { kind: MemberKind; name: string }[]): void {
    for (const x of this.#allMembers()) {
      const parents = x.node?.get('parents', true);
      if (!isSeq(parents)) continue;
      const keep = parents.items.filter(
        (p) =>
          !(
            isMap(p) &&
            gone.some(
              (g) => p.get(g.kind) === g.name || (p.get('name') === g.name && p.get('kind') === g.kind),
            )
          ),
      );
      if (keep.length !== parents.items.length) {
        parents.items = keep;
        this.#touch(x.file);
      }
    }
  }

  /** Files below the cluster folder the definition names (`from_file`). */
  #referenced(): Set<string> {
    const out = new Set<string>();
    for (const m of this.#allMembers()) {
      const c = this.#content(m);
      if (c.where === 'file' && c.file) out.add(c.file);
    }
    return out;
  }

  #removeOrphans(before: Set<string>): void {
    const after = this.#referenced();
    for (const f of before)
      if (!after.has(f) && (this.baseDir === '' || f.startsWith(`${this.baseDir}/`))) this.#write(f, null);
  }

  #freeFile(dir: string, stack: string, name: string): string {
    // never inside a folder an include reads: the file would become a member of its own
    const included = this.#includedFolders();
    const candidates = [
      `${dir}/${name}`,
      `${dir}/${stack}-${name}`,
      `${stack}/${dir}/${name}`,
      `files/${dir}/${name}`,
    ];
    for (const base of candidates)
      for (let i = 1; i < 50; i++) {
        const f = this.resolve(`${base}${i === 1 ? '' : `-${i}`}.yaml`);
        if (included.some((d) => f.startsWith(`${d}/`))) break;
        if (this.read(f) === undefined) return f;
      }
    throw new ConflictError(`no free file name for ${name} in ${dir}/`);
  }

  #includedFolders(): string[] {
    const out: string[] = [];
    const visit = (seq: unknown) => {
      if (!isSeq(seq)) return;
      for (const item of seq.items) {
        const inc = isMap(item) && !item.has('name') ? item.get('include') : undefined;
        if (typeof inc !== 'string') continue;
        const target = this.resolve(inc);
        if (this.read(target) === undefined) out.push(target);
      }
    };
    for (const s of this.#stacks()) {
      visit(s.node.get('addons', true));
      visit(s.node.get('manifests', true));
    }
    return out;
  }

  // ---- output ------------------------------------------------------------------------------

  /** Every file the edits changed: its new text, or null when removed. Unchanged texts are left out. */
  changes(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [f, t] of this.#written) if (this.#files.get(f) !== t) out[f] = t;
    for (const f of this.#dirty) {
      const p = this.#parsed.get(f)!;
      const style = styleOf(p.original);
      const before = stringifyDocs(parseDocs(p.original, f), style);
      const text = mergeEdit(p.original, before, stringifyDocs(p.docs, style));
      if (text !== (this.#files.get(f) ?? undefined)) out[f] = text;
      else delete out[f];
    }
    return out;
  }

  /** The add-ons and manifests whose text is to be SOPS-encrypted on publish: file → paths. */
  encryptionPlan(): { file: string; paths: string[]; member: string }[] {
    const out: { file: string; paths: string[]; member: string }[] = [];
    for (const m of this.#allMembers()) {
      const paths = encryptedPathsOf(m);
      if (paths.length === 0) continue;
      const c = this.#content(m);
      if (c.where === 'file' && c.file) out.push({ file: c.file, paths, member: `${m.kind}/${m.name}` });
    }
    return out;
  }
}

function repoDirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function repoBasenameWithoutExt(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, '');
}

function isKube(n: unknown): boolean {
  return isMap(n) && n.has('apiVersion') && n.has('kind');
}

function toJs(n: Node): unknown {
  return (n as unknown as { toJSON(): unknown }).toJSON();
}

function encryptedPathsOf(m: Member): string[] {
  if (!m.node) return [];
  // add-ons: `configuration.encrypted_paths` (or the entry's own); manifests: the entry's
  const conf = m.kind === 'addon' ? m.node.get('configuration', true) : undefined;
  const inConf = isMap(conf) ? conf.get('encrypted_paths', true) : undefined;
  const list = isSeq(inConf) ? inConf : m.node.get('encrypted_paths', true);
  return isSeq(list) ? list.items.map((i) => String(isScalar(i) ? i.value : i)) : [];
}

function dropNull(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON merge patch into a YAML mapping; equal values are left untouched (their style too). */
export function mergeInto(doc: Document, map: YAMLMap, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) {
      map.delete(k);
      continue;
    }
    const cur = map.get(k, true);
    if (isPlain(v) && isMap(cur)) {
      mergeInto(doc, cur, v);
      continue;
    }
    if (cur !== undefined && JSON.stringify(toJs(cur as Node)) === JSON.stringify(v)) continue;
    if (isScalar(cur) && !isPlain(v) && !Array.isArray(v)) {
      cur.value = v;
      // a type change (a number to a string) must not keep a style that reads back as the old type
      if (typeof v === 'string' && cur.type === Scalar.PLAIN) cur.type = undefined as never;
      continue;
    }
    map.set(k, doc.createNode(v));
  }
}

function walk(doc: Document, path: string): Node | undefined {
  let node: unknown = doc.contents;
  for (const key of parseEncryptedPath(path)) {
    if (isMap(node)) node = node.get(key, true);
    else if (isSeq(node) && /^\d+$/.test(key)) node = node.get(Number(key), true);
    else return undefined;
  }
  return node as Node | undefined;
}

/** The text with every scalar at an encrypted path shown as SECRET_MASK. */
export function maskPaths(text: string, paths: readonly string[]): string {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text);
    if (doc.errors.length > 0) return text;
  } catch {
    return text;
  }
  let changed = false;
  const maskAll = (n: unknown): void => {
    if (isScalar(n)) {
      n.value = SECRET_MASK;
      n.type = undefined as never;
      changed = true;
    } else if (isMap(n) || isSeq(n))
      for (const i of n.items) maskAll(isMap(n) ? (i as { value: unknown }).value : i);
  };
  for (const p of paths) maskAll(walk(doc, p));
  return changed
    ? mergeEdit(
        text,
        stringifyDocs([parseDocument(text)], styleOf(text)),
        stringifyDocs([doc], styleOf(text)),
      )
    : text;
}

/** `text` with every masked scalar at an encrypted path given back its value from `previous`. */
export function unmaskPaths(text: string, previous: string, paths: readonly string[]): string {
  if (!text.includes(SECRET_MASK)) return text;
  const doc = parseDocument(text);
  const prev = parseDocument(previous);
  const restore = (n: unknown, p: unknown): void => {
    if (isScalar(n) && n.value === SECRET_MASK && isScalar(p)) {
      n.value = p.value;
      n.type = p.type;
    } else if (isMap(n) && isMap(p)) for (const i of n.items) restore(i.value, p.get(i.key, true));
    else if (isSeq(n) && isSeq(p))
      n.items.forEach((x, k) => {
        restore(x, p.items[k]);
      });
  };
  for (const path of paths) restore(walk(doc, path), walk(prev, path));
  const style = styleOf(text);
  return mergeEdit(text, stringifyDocs([parseDocument(text)], style), stringifyDocs([doc], style));
}
