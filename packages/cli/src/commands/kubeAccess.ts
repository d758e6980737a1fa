/**
 * `mooring cluster kubeconfig|kube-token|grant`: kubectl and Helm through the platform.
 * The kubeconfig's server is the platform's `/api/v1/clusters/{id}/k8s`; its user runs
 * `mooring cluster kube-token` as an exec credential plugin, which prints a 15-minute
 * token as an `ExecCredential` (kept between runs: `api/kubeTokenCache.ts`).
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { type ApiClient, ApiError, NotFoundLocallyError } from '../api/client.ts';
import { connect, parsePlatformArgs, positionals, type Subcommand } from '../api/command.ts';
import { kubeTokenFile, readKubeToken, stillGood, writeKubeToken } from '../api/kubeTokenCache.ts';
import { serialise } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { findCluster } from './clusterRef.ts';

/** The `mooring` command this very process runs (node and the CLI's entry point). */
function selfCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [fileURLToPath(new URL('../../bin/mooring.js', import.meta.url))],
  };
}

/** A kubeconfig for one cluster through the platform (pure). */
export function kubeconfigFor(o: {
  platformUrl: string;
  clusterId: string;
  clusterName: string;
  exec: { command: string; args: string[] };
  /** The address kubectl reaches the platform at, when not `platformUrl` (a TLS proxy in front). */
  server?: string;
  /** PEM of the CA that signed the server's certificate, when not a public one. */
  certificateAuthority?: string;
}): Record<string, unknown> {
  const name = `mooring-${o.clusterName}`;
  const base = (o.server ?? o.platformUrl).replace(/\/+$/, '');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: `${base}/api/v1/clusters/${o.clusterId}/k8s`,
          ...(o.certificateAuthority
            ? { 'certificate-authority-data': Buffer.from(o.certificateAuthority).toString('base64') }
            : {}),
        },
      },
    ],
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: o.exec.command,
            args: [...o.exec.args, 'cluster', 'kube-token', o.clusterId, '--url', o.platformUrl],
            interactiveMode: 'Never',
            provideClusterInfo: false,
          },
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}

/** An `ExecCredential` as kubectl and Helm read it from an exec plugin (pure). */
export function execCredential(token: string, expiresAt: string): Record<string, unknown> {
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: expiresAt },
  };
}

async function kubeToken(client: ApiClient, ref: string): Promise<{ token: string; expires_at: string }> {
  try {
    return await client.post(`/clusters/${encodeURIComponent(ref)}/kube-token`, {});
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    const c = await findCluster(client, ref);
    return client.post(`/clusters/${encodeURIComponent(c.id)}/kube-token`, {});
  }
}

export const kubeconfigSubcommand: Subcommand = {
  synopsis: 'kubeconfig NAME|ID [-f FILE] [--server URL] [--certificate-authority FILE] [--exec-command CMD]',
  summary: 'a kubeconfig that reaches the cluster through the platform (kubectl, helm)',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      flags,
    } = parsePlatformArgs(argv, {
      file: { type: 'string', short: 'f' },
      server: { type: 'string' },
      'certificate-authority': { type: 'string' },
      'exec-command': { type: 'string' },
    });
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const execCommand = values['exec-command'] as string | undefined;
    const server = (values.server as string | undefined) ?? client.url;
    const caFile = values['certificate-authority'] as string | undefined;
    const text = stringify(
      kubeconfigFor({
        platformUrl: client.url,
        clusterId: c.id,
        clusterName: c.name,
        exec: execCommand ? { command: execCommand, args: [] } : selfCommand(),
        server,
        ...(caFile ? { certificateAuthority: readFileSync(resolve(io.cwd, caFile), 'utf8') } : {}),
      }),
    );
    // kubectl and Helm send no credentials to a plain-HTTP server
    if (!server.startsWith('https://'))
      io.stderr(
        `warning: ${server} is not HTTPS: kubectl sends credentials only over TLS; give --server https://...\n`,
      );
    const file = values.file as string | undefined;
    if (!file) {
      io.stdout(text);
      return EXIT.ok;
    }
    const path = resolve(io.cwd, file);
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600);
    io.stderr(`wrote ${path}: export KUBECONFIG=${path}\n`);
    return EXIT.ok;
  },
};

export const kubeTokenSubcommand: Subcommand = {
  synopsis: 'kube-token NAME|ID',
  summary: 'a short-lived token for the cluster as an ExecCredential (the kubeconfig runs it)',
  async run(argv, io) {
    const { positionals: p, flags } = parsePlatformArgs(argv, {});
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    // kept between kubectl's runs while more than a minute of it is left
    const file = kubeTokenFile(io.env, { url: client.url, identity: client.identity, cluster: ref! });
    let t = readKubeToken(file);
    if (!stillGood(t, new Date())) {
      t = await kubeToken(client, ref!);
      try {
        writeKubeToken(file, t);
      } catch {
        // a cache that cannot be written only means the next run asks again
      }
    }
    io.stdout(`${JSON.stringify(execCredential(t.token, t.expires_at))}\n`);
    return EXIT.ok;
  },
};

export const grantSubcommand: Subcommand = {
  synopsis: 'grant NAME|ID USER ROLE|none [--namespace NS]',
  summary: 'a user’s access through kubectl: view, edit, admin or cluster-admin (none removes it)',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      format,
      flags,
    } = parsePlatformArgs(argv, { namespace: { type: 'string', short: 'n' } });
    const [ref, username, role] = positionals(p, ['NAME|ID', 'USER', 'ROLE']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const users = await client.all<{ id: string; username: string }>('/users');
    const user = users.find((u) => u.username === username || u.id === username);
    if (!user) throw new NotFoundLocallyError(`no user named or with id "${username}"`);
    const path = `/clusters/${encodeURIComponent(c.id)}/grants/${encodeURIComponent(user.id)}`;
    if (role === 'none') {
      await client.delete(path);
      io.stdout(
        format === 'text'
          ? `${user.username} has no access to ${c.name} through kubectl\n`
          : serialise(format, {}),
      );
      return EXIT.ok;
    }
    const namespace = values.namespace as string | undefined;
    const g = await client.request<Record<string, unknown>>('PUT', path, {
      body: { role, ...(namespace ? { namespace } : {}) },
    });
    io.stdout(
      format === 'text'
        ? `${user.username} may use ${c.name} through kubectl as ${role}${namespace ? ` in namespace ${namespace}` : ''}\n`
        : serialise(format, g),
    );
    return EXIT.ok;
  },
};
