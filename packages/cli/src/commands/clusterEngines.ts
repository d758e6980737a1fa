/** `mooring cluster engines|migrate|decommission-argocd`: a cluster's engines and the move from Argo CD to native. */
import type { ApiClient } from '../api/client.ts';
import { connect, parsePlatformArgs, positionals, type Subcommand } from '../api/command.ts';
import { serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { type Io, UsageError } from '../io.ts';
import { findCluster } from './clusterRef.ts';

export interface EnginesView {
  default_engine: string;
  decommissioned_at: string | null;
  argocd_connected: boolean;
  decommission_offered: boolean;
  addons: { name: string; namespace: string; stack: string; engine: string; source: string }[];
}

export interface EligibilityView {
  eligible: boolean;
  addons: {
    addon: string;
    namespace: string;
    eligible: boolean;
    blockers: string[];
    warnings: string[];
    sync?: string;
    health?: string;
  }[];
}

export interface MigrationView {
  id: string;
  direction: string;
  state: string;
  message: string;
  items: {
    addon: string;
    state: string;
    message: string;
    report: { replaced?: string[]; pods_before?: string[]; pods_after?: string[] } | null;
  }[];
}

/** The engines of a cluster (pure). */
export function renderEngines(e: EnginesView): string {
  const head =
    `default engine: ${e.default_engine}` +
    (e.decommissioned_at ? ` (Argo CD decommissioned ${e.decommissioned_at})` : '') +
    `; Argo CD ${e.argocd_connected ? 'connected' : 'not connected'}` +
    (e.decommission_offered
      ? '; no add-on on Argo CD: `mooring cluster decommission-argocd` is offered'
      : '') +
    '\n';
  if (!e.addons.length) return `${head}no add-ons\n`;
  return (
    head +
    table(
      ['ADD-ON', 'NAMESPACE', 'STACK', 'ENGINE', 'FROM'],
      e.addons.map((a) => [a.name, a.namespace, a.stack, a.engine, a.source]),
    )
  );
}

/** The eligibility report (pure): one line per add-on, then its blockers and warnings. */
export function renderEligibility(r: EligibilityView): string {
  if (!r.addons.length) return 'no add-on runs on Argo CD: nothing to migrate\n';
  const out = [
    table(
      ['ADD-ON', 'NAMESPACE', 'ELIGIBLE', 'SYNC', 'HEALTH'],
      r.addons.map((a) => [a.addon, a.namespace, a.eligible ? 'yes' : 'no', a.sync ?? '', a.health ?? '']),
    ),
  ];
  for (const a of r.addons) {
    for (const b of a.blockers) out.push(`  ${a.addon}: blocked: ${b}\n`);
    for (const w of a.warnings) out.push(`  ${a.addon}: check: ${w}\n`);
  }
  out.push(r.eligible ? 'every add-on can migrate now\n' : 'some add-ons cannot migrate now (see above)\n');
  return out.join('');
}

/** A migration's state and each add-on's (pure). */
export function renderMigration(m: MigrationView): string {
  const rows = table(
    ['ADD-ON', 'STATE', 'MESSAGE'],
    m.items.map((i) => [i.addon, i.state, i.message]),
  );
  return `migration ${m.id} to ${m.direction}: ${m.state}: ${m.message}\n${rows}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows a migration to its end, printing each add-on's change; exit 0 when it succeeded. */
async function follow(
  client: ApiClient,
  base: string,
  id: string,
  io: Io,
  text: boolean,
): Promise<MigrationView> {
  const seen = new Map<string, string>();
  for (;;) {
    const m = await client.get<MigrationView>(`${base}/migrations/${encodeURIComponent(id)}`);
    for (const i of m.items) {
      const line = `${i.state}${i.message ? `: ${i.message}` : ''}`;
      if (text && seen.get(i.addon) !== line) io.stdout(`${i.addon}: ${line}\n`);
      seen.set(i.addon, line);
    }
    if (m.state !== 'running') return m;
    await sleep(1000);
  }
}

export const enginesSubcommand: Subcommand = {
  synopsis: 'engines NAME|ID [--default native|argocd]',
  summary:
    'the default engine and each add-on’s engine (file, default or migration); --default sets the default',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      format,
      flags,
    } = parsePlatformArgs(argv, { default: { type: 'string' } });
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const base = `/clusters/${encodeURIComponent(c.id)}`;
    let e: EnginesView;
    if (values.default !== undefined) {
      if (!['native', 'argocd', 'ankra_native', 'argo_cd'].includes(values.default))
        throw new UsageError(`--default must be native or argocd, got ${JSON.stringify(values.default)}`);
      e = await client.put<EnginesView>(`${base}/engines/default`, { engine: values.default });
    } else e = await client.get<EnginesView>(`${base}/engines`);
    io.stdout(format === 'text' ? renderEngines(e) : serialise(format, e));
    return EXIT.ok;
  },
};

export const migrateSubcommand: Subcommand = {
  synopsis: 'migrate NAME|ID [--preview] [--addon NAME]... [--concurrency N] [--rollback ADDON] [--watch]',
  summary:
    'move add-ons from Argo CD to native (helm --take-ownership: same objects, no Pod recreated); --preview shows the eligibility report; --rollback hands one add-on back to Argo CD',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      format,
      flags,
    } = parsePlatformArgs(argv, {
      preview: { type: 'boolean' },
      addon: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      rollback: { type: 'string' },
      watch: { type: 'boolean', short: 'w' },
    });
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const base = `/clusters/${encodeURIComponent(c.id)}`;
    const text = format === 'text';
    if (values.preview) {
      const r = await client.get<EligibilityView>(`${base}/migration/eligibility`);
      io.stdout(text ? renderEligibility(r) : serialise(format, r));
      return r.eligible ? EXIT.ok : EXIT.failed;
    }
    let m: MigrationView;
    if (values.rollback) {
      m = await client.post<MigrationView>(
        `${base}/addons/${encodeURIComponent(values.rollback)}/engine/rollback`,
      );
    } else {
      const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
      if (
        concurrency !== undefined &&
        !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 5)
      )
        throw new UsageError('--concurrency must be a whole number from 1 to 5');
      m = await client.post<MigrationView>(`${base}/migrations`, {
        ...(values.addon ? { addons: values.addon } : {}),
        ...(concurrency ? { concurrency } : {}),
      });
    }
    if (!values.watch) {
      io.stdout(text ? renderMigration(m) : serialise(format, m));
      return EXIT.ok;
    }
    const done = await follow(client, base, m.id, io, text);
    io.stdout(text ? `${done.state}: ${done.message}\n` : serialise(format, done));
    return done.state === 'succeeded' ? EXIT.ok : EXIT.failed;
  },
};

export const decommissionSubcommand: Subcommand = {
  synopsis: 'decommission-argocd NAME|ID [--watch]',
  summary:
    'migrate what is left on Argo CD, then clear the stored Argo CD credentials (Argo CD itself and Applications Mooring did not write stay)',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      format,
      flags,
    } = parsePlatformArgs(argv, {
      watch: { type: 'boolean', short: 'w' },
    });
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const base = `/clusters/${encodeURIComponent(c.id)}`;
    const text = format === 'text';
    const d = await client.post<{
      state: string;
      message: string;
      migration?: MigrationView;
      manual_cleanup: string[];
    }>(`${base}/argocd/decommission`);
    const cleanup = `to clean up by hand if Argo CD keeps running:\n${d.manual_cleanup.map((l) => `  - ${l}\n`).join('')}`;
    if (d.state === 'migrating' && values.watch && d.migration) {
      if (text) io.stdout(`${d.message}\n`);
      const done = await follow(client, base, d.migration.id, io, text);
      io.stdout(
        text ? `${done.state}: ${done.message}\n${cleanup}` : serialise(format, { ...d, migration: done }),
      );
      return done.state === 'succeeded' ? EXIT.ok : EXIT.failed;
    }
    io.stdout(text ? `${d.message}\n${cleanup}` : serialise(format, d));
    return EXIT.ok;
  },
};
