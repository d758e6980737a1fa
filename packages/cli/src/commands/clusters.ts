/** `mooring cluster list|get|import|delete|token`: the platform's clusters. */
import { loadDefinition } from '@mooring/core';
import { ApiError, type RemoteDiagnostic } from '../api/client.ts';
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { ago, fields, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import type { Io } from '../io.ts';
import { decommissionSubcommand, enginesSubcommand, migrateSubcommand } from './clusterEngines.ts';
import { historySubcommand, previewSubcommand, syncSubcommand } from './clusterGitops.ts';
import { findCluster } from './clusterRef.ts';
import { grantSubcommand, kubeconfigSubcommand, kubeTokenSubcommand } from './kubeAccess.ts';
import { formatDiagnostics, plural, resolveSource } from './source.ts';

export interface ClusterView {
  id: string;
  name: string;
  description?: string;
  state: string;
  agent_version: string | null;
  kubernetes_version: string | null;
  node_count: number | null;
  region: string | null;
  last_check_in: string | null;
  definition_path?: string;
  created_at?: string;
  updated_at?: string;
}

export interface AgentInstall {
  cluster: ClusterView;
  agent_token: string;
  install_command: string;
  warnings?: RemoteDiagnostic[];
}

export function renderClusters(items: readonly ClusterView[], now: Date): string {
  if (items.length === 0) return 'no clusters\n';
  return table(
    ['NAME', 'ID', 'STATE', 'NODES', 'KUBERNETES', 'AGENT', 'REGION', 'LAST CHECK-IN'],
    items.map((c) => [
      c.name,
      c.id,
      c.state,
      c.node_count,
      c.kubernetes_version,
      c.agent_version,
      c.region,
      ago(c.last_check_in, now),
    ]),
  );
}

export function renderCluster(c: ClusterView, now: Date): string {
  return fields([
    ['name', c.name],
    ['id', c.id],
    ['description', c.description],
    ['state', c.state],
    ['nodes', c.node_count],
    ['kubernetes', c.kubernetes_version],
    ['agent', c.agent_version],
    ['region', c.region],
    ['last check-in', c.last_check_in ? `${c.last_check_in} (${ago(c.last_check_in, now)})` : null],
    ['definition', c.definition_path],
    ['created', c.created_at],
  ]);
}

/** The once-shown install command, with what it is. */
export function renderInstall(r: AgentInstall, verb: string): string {
  return (
    `${verb} ${r.cluster.name} (id ${r.cluster.id})\n\n` +
    'Install the agent in the cluster with this command. It holds the agent token and is shown only now:\n\n' +
    `  ${r.install_command}\n`
  );
}

export { findCluster };

function print(io: Io, format: 'text' | 'json' | 'yaml', value: unknown, text: () => string): void {
  io.stdout(format === 'text' ? text() : serialise(format, value));
}

const IMPORT_OPTIONS = {
  file: { type: 'string', short: 'f' },
  root: { type: 'string' },
  'repo-root': { type: 'string' },
  'git-url': { type: 'string' },
  branch: { type: 'string' },
  'git-cache': { type: 'string' },
} as const;

export const clusterCommand = group(
  'cluster',
  'the platform’s clusters: list, show, import, delete, new agent token, sync, history, preview',
  {
    list: {
      synopsis: 'list [--sort FIELD]',
      summary: 'every cluster: state, nodes, versions, last check-in',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, { sort: { type: 'string' } });
        positionals(p, []);
        const items = await connect(flags, io).all<ClusterView>('/clusters', { sort: values.sort });
        print(io, format, items, () => renderClusters(items, new Date()));
        return EXIT.ok;
      },
    },
    sync: syncSubcommand,
    history: historySubcommand,
    preview: previewSubcommand,
    engines: enginesSubcommand,
    migrate: migrateSubcommand,
    'decommission-argocd': decommissionSubcommand,
    kubeconfig: kubeconfigSubcommand,
    'kube-token': kubeTokenSubcommand,
    grant: grantSubcommand,
    get: {
      synopsis: 'get NAME|ID',
      summary: 'one cluster',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [ref] = positionals(p, ['NAME|ID']);
        const c = await findCluster(connect(flags, io), ref!);
        print(io, format, c, () => renderCluster(c, new Date()));
        return EXIT.ok;
      },
    },
    import: {
      synopsis: 'import -f FILE',
      summary:
        'import an ImportCluster definition and the files it reads; prints the agent install command once',
      async run(argv, io) {
        const { values, positionals: p, format, flags } = parsePlatformArgs(argv, IMPORT_OPTIONS);
        positionals(p, []);
        const client = connect(flags, io);
        const src = await resolveSource(values, io);
        const definition = src.source.readFile(src.path);
        if (definition === undefined) throw new Error(`cannot read ${src.display(src.path)}`);
        const files: Record<string, string> = {};
        for (const f of loadDefinition(src.source, src.path).files) {
          const text = f === src.path ? undefined : src.source.readFile(f);
          if (text !== undefined) files[f] = text;
        }
        let r: AgentInstall;
        try {
          r = await client.post<AgentInstall>('/clusters', { definition, path: src.path, files });
        } catch (e) {
          if (format !== 'text' || !(e instanceof ApiError) || !e.body.diagnostics) throw e;
          const errors = e.body.diagnostics.filter((d) => d.severity === 'error').length;
          const warnings = e.body.diagnostics.length - errors;
          io.stderr(
            `${formatDiagnostics(e.body.diagnostics, src.display)}${src.display(src.path)}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}; nothing imported\n`,
          );
          return EXIT.conflict;
        }
        if (format !== 'text') io.stdout(serialise(format, r));
        else {
          if (r.warnings?.length) io.stderr(formatDiagnostics(r.warnings, src.display));
          io.stdout(renderInstall(r, 'imported cluster'));
        }
        return EXIT.ok;
      },
    },
    delete: {
      synopsis: 'delete NAME|ID',
      summary: 'forget a cluster and disconnect its agent (nothing in the cluster changes)',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [ref] = positionals(p, ['NAME|ID']);
        const client = connect(flags, io);
        const c = await findCluster(client, ref!);
        await client.delete(`/clusters/${encodeURIComponent(c.id)}`);
        print(
          io,
          format,
          { deleted: { id: c.id, name: c.name } },
          () => `deleted cluster ${c.name} (id ${c.id}); nothing in the cluster was changed\n`,
        );
        return EXIT.ok;
      },
    },
    token: {
      synopsis: 'token NAME|ID',
      summary: 'a new agent token and install command, shown once (the old token stops working)',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [ref] = positionals(p, ['NAME|ID']);
        const client = connect(flags, io);
        const c = await findCluster(client, ref!);
        const r = await client.post<AgentInstall>(`/clusters/${encodeURIComponent(c.id)}/agent-token`);
        print(io, format, r, () => renderInstall(r, 'new agent token for cluster'));
        return EXIT.ok;
      },
    },
  },
  `import options:
  -f, --file PATH         the ImportCluster file (default: import-cluster.yaml); the files it reads
                          (from_file, include) are sent with it, as validate finds them
      --root DIR          the folder no path may leave (default: the Git repository holding the file)
      --git-url URL       read the definition from this Git repository (-f is a path in it)
      --branch REF        with --git-url (default: main)`,
);
