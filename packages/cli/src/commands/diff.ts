/**
 * `mooring diff`: the drift of a cluster against its definition, without
 * changing anything: for every add-on, the live objects compared with its
 * release's manifest (ignore rules honoured), plus what an apply would change.
 */
import { createLiveState, manifestSweepTargets, runSweep, sweepTargets } from '@mooring/engine';
import { checkApiServer } from '@mooring/kube';
import { type Command, type Io, parseOptions } from '../io.ts';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, engineContext, helmBinary } from './cluster.ts';
import { loadValid } from './load.ts';
import { outputFormat, SOURCE_OPTIONS, SOURCE_USAGE } from './source.ts';

const USAGE = `usage: mooring diff [-f import-cluster.yaml] [--output text|json] [cluster options] [source options]

Shows drift: objects of each add-on's release that differ from what Helm deployed (after ignore
rules), missing objects, and add-ons with no release. Changes nothing. Exit code 0 when the cluster
matches, 1 when there is drift, 2 on wrong usage.
${CLUSTER_USAGE}
${SOURCE_USAGE}`;

export const diffCommand: Command = {
  summary: 'show drift between a cluster and its definition (changes nothing)',
  usage: USAGE,
  async run(argv: string[], io: Io): Promise<number> {
    const values = parseOptions(argv, { ...SOURCE_OPTIONS, ...CLUSTER_OPTIONS });
    const json = outputFormat(values.output) === 'json';
    const helm = helmBinary(values, io);
    const loaded = await loadValid(values, io, json);
    if (!loaded) return 1;
    const ctx = engineContext(loaded.def.name, values, io, helm);
    await checkApiServer(ctx.kc);
    // report only: no heal, no prune, no recovery
    const targets = sweepTargets(loaded.def, loaded.plan).map((t) => ({
      ...t,
      addon: {
        ...t.addon,
        settings: {
          ...t.addon.settings,
          syncPolicy: { ...t.addon.settings.syncPolicy, automated: false, selfHeal: false, autoPrune: false },
        },
      },
    }));
    const live = createLiveState(ctx.kc);
    try {
      await live.start();
      const manifests = manifestSweepTargets(loaded.def, loaded.plan).map((t) => ({
        ...t,
        manifest: { ...t.manifest, autoRemediate: false },
      }));
      const r = await runSweep(ctx, live, targets, new Map(), { autoHeal: false, manifests });
      const drifted = r.addons.filter((a) => a.drift.length > 0 || !a.releaseStatus || a.behindGit);
      const driftedManifests = r.manifests.filter((m) => m.drift.length > 0);
      const show = (ref: string, text: string, missing: boolean) =>
        missing
          ? `${ref} is missing`
          : ref.startsWith('Secret/')
            ? `${ref}: secret data differs (values hidden)`
            : text;
      if (json)
        io.stdout(
          `${JSON.stringify({ drifted: drifted.length + driftedManifests.length, addons: r.addons, manifests: r.manifests }, null, 2)}\n`,
        );
      else {
        for (const m of driftedManifests) {
          for (const d of m.drift)
            io.stdout(`manifest ${m.stack}/${m.name}: ${show(d.ref, d.text, d.missing)}\n`);
        }
        for (const a of r.addons) {
          if (!a.releaseStatus) io.stdout(`addon ${a.namespace}/${a.name}: not deployed\n`);
          else if (a.behindGit)
            io.stdout(
              `addon ${a.namespace}/${a.name}: revision ${a.revision} is not what the definition holds (apply would upgrade it)\n`,
            );
          for (const d of a.drift) {
            io.stdout(`addon ${a.namespace}/${a.name}: ${show(d.ref, d.text, d.missing)}\n`);
          }
        }
        io.stdout(
          drifted.length + driftedManifests.length === 0
            ? `no drift: ${r.addons.length} add-ons and ${r.manifests.length} manifests match\n`
            : `${drifted.length} of ${r.addons.length} add-ons and ${driftedManifests.length} of ${r.manifests.length} manifests drifted\n`,
        );
      }
      return drifted.length + driftedManifests.length === 0 ? 0 : 1;
    } finally {
      live.objects.stop();
      live.releases.stop();
    }
  },
};
