/** `mooring drafts`: the Stack Builder of the platform — drafts of a cluster's definition, edited and published to Git. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiClient } from '../api/client.ts';
import { ApiError } from '../api/client.ts';
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { fields, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { type Io, UsageError } from '../io.ts';
import { findCluster } from './clusters.ts';

export interface DraftMemberView {
  kind: 'addon' | 'manifest';
  name: string;
  stack: string;
  file: string;
  fields: Record<string, unknown>;
  values?: string;
  manifest?: string;
  content_file?: string;
  encrypted_paths: string[];
}

export interface DraftView {
  id: string;
  title: string;
  state: 'open' | 'publishing' | 'published';
  branch: string;
  path: string;
  base_commit: string;
  created_by: string;
  created_at: string;
  changed_files: { path: string; change: string }[];
  published: { commit: string; branch: string; pull_request_url: string | null } | null;
  stacks?: {
    name: string;
    fields: Record<string, unknown>;
    addons: DraftMemberView[];
    manifests: DraftMemberView[];
  }[];
}

interface Issue {
  severity: string;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
}

export function renderDrafts(items: readonly DraftView[]): string {
  if (items.length === 0) return 'no drafts\n';
  return table(
    ['ID', 'TITLE', 'STATE', 'BRANCH', 'BASE', 'FILES', 'BY'],
    items.map((d) => [
      d.id,
      d.title,
      d.state === 'published' && d.published ? `published ${d.published.commit.slice(0, 12)}` : d.state,
      d.branch,
      d.base_commit.slice(0, 12),
      d.changed_files.length,
      d.created_by,
    ]),
  );
}

/** A draft as a tree: stacks by wave, their add-ons and manifests with parents, then the files changed (pure). */
export function renderDraft(d: DraftView): string {
  const head = fields([
    ['draft', d.id],
    ['title', d.title],
    ['state', d.state],
    ['branch', `${d.branch} at ${d.base_commit.slice(0, 12)}`],
    ['cluster file', d.path],
    ...(d.published
      ? ([
          ['published', `${d.published.commit.slice(0, 12)} on ${d.published.branch}`],
          ['pull request', d.published.pull_request_url],
        ] as const)
      : []),
  ]);
  const lines: string[] = [];
  for (const s of d.stacks ?? []) {
    const wave = s.fields.deploy_wave;
    lines.push(`stack ${s.name}${wave === undefined ? ' (no wave)' : ` (wave ${String(wave)})`}`);
    for (const m of [...s.manifests, ...s.addons]) {
      const parents = Array.isArray(m.fields.parents)
        ? (m.fields.parents as Record<string, unknown>[]).map((p) =>
            p.manifest ? `manifest/${p.manifest}` : p.addon ? `addon/${p.addon}` : `${p.kind}/${p.name}`,
          )
        : [];
      const chart =
        m.kind === 'addon'
          ? ` ${String(m.fields.chart_name ?? '?')}@${String(m.fields.chart_version ?? '?')}`
          : '';
      const enc = m.encrypted_paths.length > 0 ? ` [encrypted: ${m.encrypted_paths.join(', ')}]` : '';
      lines.push(
        `  ${m.kind} ${m.name}${chart}${parents.length > 0 ? ` <- ${parents.join(', ')}` : ''}${enc}  (${m.content_file ?? m.file})`,
      );
    }
  }
  const files =
    d.changed_files.length === 0
      ? 'no files changed'
      : `files changed:\n${d.changed_files.map((f) => `  ${f.change.padEnd(8)} ${f.path}`).join('\n')}`;
  return `${head}\n${lines.join('\n')}${lines.length ? '\n' : ''}\n${files}\n`;
}

export function renderIssues(v: { valid: boolean; errors: readonly Issue[] }): string {
  const rows = v.errors.map(
    (e) =>
      `${e.file}:${e.line}:${e.column}: ${e.severity}: ${e.message} (${e.path})${e.hint ? `\n  hint: ${e.hint}` : ''}`,
  );
  return `${rows.join('\n')}${rows.length ? '\n' : ''}${v.valid ? 'valid' : 'invalid'}\n`;
}

/** `manifest/NAME` or `addon/NAME` → a parents entry (pure). */
export function parentOf(v: string): Record<string, string> {
  const m = /^(manifest|addon)\/([A-Za-z0-9._-]+)$/.exec(v);
  if (!m) throw new UsageError(`--parent wants manifest/NAME or addon/NAME, got ${JSON.stringify(v)}`);
  return { [m[1]!]: m[2]! };
}

async function readText(io: Io, f: string, what: string): Promise<string> {
  try {
    return f === '-' ? ((await io.readStdin?.()) ?? '') : readFileSync(resolve(io.cwd, f), 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${f}: ${(e as Error).message}`);
  }
}

async function target(client: ApiClient, cluster: string, draft?: string) {
  const c = await findCluster(client, cluster);
  const base = `/clusters/${encodeURIComponent(c.id)}/drafts`;
  return draft ? `${base}/${encodeURIComponent(draft)}` : base;
}

const out = (io: Io, format: 'text' | 'json' | 'yaml', value: unknown, text: () => string) =>
  io.stdout(format === 'text' ? text() : serialise(format, value));

/** Creates the member, or changes it when it exists. */
async function upsert(
  client: ApiClient,
  base: string,
  list: string,
  name: string,
  body: Record<string, unknown>,
  o: { rename?: string; remove?: boolean },
): Promise<{ draft: DraftView; verb: string }> {
  const path = `${base}/${list}/${encodeURIComponent(name)}`;
  if (o.remove) return { draft: await client.request<DraftView>('DELETE', path), verb: 'removed' };
  try {
    const draft = await client.request<DraftView>('PATCH', path, {
      body: { ...body, ...(o.rename ? { name: o.rename } : {}) },
    });
    return { draft, verb: o.rename ? `renamed to ${o.rename}` : 'changed' };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404 || o.rename) throw e;
    return { draft: await client.post<DraftView>(`${base}/${list}`, { name, ...body }), verb: 'added' };
  }
}

const MEMBER = {
  parent: { type: 'string', multiple: true },
  namespace: { type: 'string', short: 'n' },
  encrypt: { type: 'string', multiple: true },
  rename: { type: 'string' },
  delete: { type: 'boolean' },
} as const;

export const draftsCommand = group(
  'drafts',
  'the Stack Builder: drafts of a cluster’s definition — stacks, add-ons, manifests — validated, previewed and published to Git',
  {
    list: {
      synopsis: 'list CLUSTER',
      summary: 'the cluster’s drafts, newest first',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [cluster] = positionals(p, ['CLUSTER']);
        const client = connect(flags, io);
        const r = await client.get<{ items: DraftView[] }>(await target(client, cluster!));
        out(io, format, r.items, () => renderDrafts(r.items));
        return EXIT.ok;
      },
    },
    create: {
      synopsis: 'create CLUSTER [--title T]',
      summary: 'begin a draft from the head of the cluster’s branch',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, { title: { type: 'string' } });
        const [cluster] = positionals(p, ['CLUSTER']);
        const client = connect(flags, io);
        const d = await client.post<DraftView>(
          await target(client, cluster!),
          values.title ? { title: values.title } : {},
        );
        out(io, format, d, () => `draft ${d.id} from ${d.branch} at ${d.base_commit.slice(0, 12)}\n`);
        return EXIT.ok;
      },
    },
    show: {
      synopsis: 'show CLUSTER DRAFT',
      summary: 'the draft’s stacks, add-ons, manifests and changed files',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [cluster, draft] = positionals(p, ['CLUSTER', 'DRAFT']);
        const client = connect(flags, io);
        const d = await client.get<DraftView>(await target(client, cluster!, draft));
        out(io, format, d, () => renderDraft(d));
        return EXIT.ok;
      },
    },
    stack: {
      synopsis: 'stack CLUSTER DRAFT NAME [--wave N|none] [--description D] [--rename NEW] [--delete]',
      summary: 'add a stack, or change, rename or remove it',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          wave: { type: 'string' },
          description: { type: 'string' },
          rename: { type: 'string' },
          delete: { type: 'boolean' },
        });
        const [cluster, draft, name] = positionals(p, ['CLUSTER', 'DRAFT', 'NAME']);
        const body: Record<string, unknown> = {};
        if (values.wave !== undefined) {
          if (values.wave !== 'none' && !/^\d+$/.test(values.wave))
            throw new UsageError(`--wave wants a number >= 0 or none, got ${JSON.stringify(values.wave)}`);
          body.deploy_wave = values.wave === 'none' ? null : Number(values.wave);
        }
        if (values.description !== undefined) body.description = values.description;
        const client = connect(flags, io);
        const r = await upsert(client, await target(client, cluster!, draft), 'stacks', name!, body, {
          ...(values.rename ? { rename: values.rename } : {}),
          ...(values.delete ? { remove: true } : {}),
        });
        out(io, format, r.draft, () => `stack ${name} ${r.verb}\n`);
        return EXIT.ok;
      },
    },
    addon: {
      synopsis:
        'addon CLUSTER DRAFT STACK NAME [--chart REGISTRY/CHART|--chart-name C --repository-url U] [--version V] [-n NS] [-f VALUES] [--parent KIND/NAME]... [--encrypt PATH]... [--rename NEW] [--delete]',
      summary: 'add an add-on to a stack, or change, rename or remove it',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          ...MEMBER,
          chart: { type: 'string' },
          'chart-name': { type: 'string' },
          'repository-url': { type: 'string' },
          version: { type: 'string' },
          values: { type: 'string', short: 'f' },
        });
        const [cluster, draft, stack, name] = positionals(p, ['CLUSTER', 'DRAFT', 'STACK', 'NAME']);
        const client = connect(flags, io);
        const body: Record<string, unknown> = {};
        if (values.chart) {
          const m = /^([^/\s]+)\/([^/\s]+)$/.exec(values.chart);
          if (!m) throw new UsageError(`--chart wants REGISTRY/CHART, got ${JSON.stringify(values.chart)}`);
          const reg = await client.get<{ name: string; url: string }>(
            `/registries/${encodeURIComponent(m[1]!)}`,
          );
          Object.assign(body, { chart_name: m[2], registry_name: reg.name, registry_url: reg.url });
        }
        if (values['chart-name']) body.chart_name = values['chart-name'];
        if (values['repository-url']) body.repository_url = values['repository-url'];
        if (values.version) body.chart_version = values.version;
        if (values.namespace) body.namespace = values.namespace;
        if (values.parent) body.parents = values.parent.map(parentOf);
        if (values.encrypt) body.configuration = { encrypted_paths: values.encrypt };
        if (values.values) body.values = await readText(io, values.values, '-f');
        const base = `${await target(client, cluster!, draft)}/stacks/${encodeURIComponent(stack!)}`;
        const r = await upsert(client, base, 'addons', name!, body, {
          ...(values.rename ? { rename: values.rename } : {}),
          ...(values.delete ? { remove: true } : {}),
        });
        out(io, format, r.draft, () => `add-on ${name} ${r.verb}\n`);
        return EXIT.ok;
      },
    },
    manifest: {
      synopsis:
        'manifest CLUSTER DRAFT STACK NAME [-f FILE] [-n NS] [--parent KIND/NAME]... [--encrypt PATH]... [--rename NEW] [--delete]',
      summary: 'add a manifest to a stack, or change, rename or remove it',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          ...MEMBER,
          file: { type: 'string', short: 'f' },
        });
        const [cluster, draft, stack, name] = positionals(p, ['CLUSTER', 'DRAFT', 'STACK', 'NAME']);
        const body: Record<string, unknown> = {};
        if (values.namespace) body.namespace = values.namespace;
        if (values.parent) body.parents = values.parent.map(parentOf);
        if (values.encrypt) body.encrypted_paths = values.encrypt;
        if (values.file) body.manifest = await readText(io, values.file, '-f');
        const client = connect(flags, io);
        const base = `${await target(client, cluster!, draft)}/stacks/${encodeURIComponent(stack!)}`;
        const r = await upsert(client, base, 'manifests', name!, body, {
          ...(values.rename ? { rename: values.rename } : {}),
          ...(values.delete ? { remove: true } : {}),
        });
        out(io, format, r.draft, () => `manifest ${name} ${r.verb}\n`);
        return EXIT.ok;
      },
    },
    validate: {
      synopsis: 'validate CLUSTER DRAFT',
      summary: 'the diagnostics of "mooring validate" for the draft (exit 1 when invalid)',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [cluster, draft] = positionals(p, ['CLUSTER', 'DRAFT']);
        const client = connect(flags, io);
        const v = await client.post<{ valid: boolean; errors: Issue[] }>(
          `${await target(client, cluster!, draft)}/validate`,
          {},
        );
        out(io, format, v, () => renderIssues(v));
        return v.valid ? EXIT.ok : EXIT.failed;
      },
    },
    preview: {
      synopsis: 'preview CLUSTER DRAFT',
      summary: 'what publishing would change on the cluster, per object (rendered by its agent)',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [cluster, draft] = positionals(p, ['CLUSTER', 'DRAFT']);
        const client = connect(flags, io);
        const v = await client.post<{
          valid: boolean;
          errors: Issue[];
          members:
            | {
                stack: string;
                kind: string;
                name: string;
                action: string;
                objects: { ref: string; change: string }[];
              }[]
            | null;
          summary: Record<string, number>;
          agent_error: string | null;
        }>(`${await target(client, cluster!, draft)}/preview`, {});
        out(io, format, v, () => {
          if (!v.valid) return renderIssues(v);
          const rows = (v.members ?? []).flatMap((m) =>
            m.objects.length === 0
              ? [[`${m.kind}/${m.name}`, m.action, '', '']]
              : m.objects.map((o) => [`${m.kind}/${m.name}`, m.action, o.ref, o.change]),
          );
          const s = v.summary;
          return `${v.agent_error ? `the agent gave no rendering: ${v.agent_error}\n` : table(['MEMBER', 'ACTION', 'OBJECT', 'CHANGE'], rows)}${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged\n`;
        });
        return EXIT.ok;
      },
    },
    publish: {
      synopsis: 'publish CLUSTER DRAFT [-m MESSAGE] [--branch NEW] [--no-pull-request] [--author-email E]',
      summary: 'one commit to the branch (a sync follows), or to a new branch with a pull request',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          message: { type: 'string', short: 'm' },
          branch: { type: 'string' },
          'no-pull-request': { type: 'boolean' },
          'author-email': { type: 'string' },
        });
        const [cluster, draft] = positionals(p, ['CLUSTER', 'DRAFT']);
        const client = connect(flags, io);
        const r = await client.post<{
          commit: string;
          branch: string;
          rebased: boolean;
          unchanged: boolean;
          encrypted: { path: string; paths: string[] }[];
          pull_request: { url: string } | null;
          pull_request_error: string | null;
          sync_requested: boolean;
        }>(`${await target(client, cluster!, draft)}/publish`, {
          ...(values.message ? { message: values.message } : {}),
          ...(values.branch ? { branch: values.branch } : {}),
          ...(values['no-pull-request'] ? { pull_request: false } : {}),
          ...(values['author-email'] ? { author_email: values['author-email'] } : {}),
        });
        out(io, format, r, () => {
          if (r.unchanged)
            return `nothing to publish: the draft changes no file (${r.branch} at ${r.commit.slice(0, 12)})\n`;
          const lines = [
            `published ${r.commit.slice(0, 12)} to ${r.branch}${r.rebased ? ' (rebased onto the branch)' : ''}`,
          ];
          for (const e of r.encrypted) lines.push(`encrypted ${e.paths.join(', ')} in ${e.path}`);
          if (r.pull_request) lines.push(`pull request: ${r.pull_request.url}`);
          if (r.pull_request_error) lines.push(`no pull request: ${r.pull_request_error}`);
          if (r.sync_requested) lines.push('sync requested');
          return `${lines.join('\n')}\n`;
        });
        return EXIT.ok;
      },
    },
    discard: {
      synopsis: 'discard CLUSTER DRAFT',
      summary: 'remove a draft',
      async run(argv, io) {
        const { positionals: p, flags } = parsePlatformArgs(argv, {});
        const [cluster, draft] = positionals(p, ['CLUSTER', 'DRAFT']);
        const client = connect(flags, io);
        await client.delete(await target(client, cluster!, draft));
        io.stdout(`draft ${draft} discarded\n`);
        return EXIT.ok;
      },
    },
  },
  `      --title T             create: the draft's title (the commit's first line)
      --wave N|none         stack: its deploy_wave (none removes it)
      --chart REGISTRY/CHART  addon: a chart of a connected registry (registry_name and registry_url)
      --chart-name C, --repository-url U  addon: a chart by repository URL
      --version V           addon: chart_version
  -n, --namespace NS        addon, manifest: the namespace
  -f FILE                   addon: the values file; manifest: the manifest file ("-": stdin)
      --parent KIND/NAME    a parent (manifest/NAME or addon/NAME; repeatable; replaces the list)
      --encrypt PATH        a values path to SOPS-encrypt on publish (repeatable)
      --rename NEW, --delete  rename or remove instead
  -m, --message M           publish: the commit message
      --branch NEW          publish: to a new branch (a pull request on GitHub and Bitbucket)
      --no-pull-request     publish: push the branch only`,
);
