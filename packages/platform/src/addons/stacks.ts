import { buildPlan, loadDefinition, MemoryFileSource, type Plan } from '@mooring/core';
import { z } from 'zod';
import { healthOfState, type MemberObservation } from './readModel.ts';

export const stackMemberSchema = z.object({
  id: z.string().describe('addon/NAME or manifest/NAME'),
  kind: z.enum(['addon', 'manifest']),
  name: z.string(),
  namespace: z.string().nullable(),
  chart: z.string().nullable(),
  version: z.string().nullable(),
  parents: z.array(z.string()).describe('ids of the members it waits for (in any stack)'),
  layer: z.number().int().describe('its layer in the stack’s DAG: 0 has no parent in the stack'),
  state: z.string(),
  health: z.string(),
  message: z.string(),
});

export const stacksViewSchema = z
  .object({
    waves: z
      .array(
        z.object({
          wave: z
            .number()
            .int()
            .nullable()
            .describe('null: the stacks without a deploy_wave, started at once'),
          stacks: z.array(
            z.object({
              name: z.string(),
              deploy_wave: z.number().int().nullable(),
              applications: z.array(z.string()),
              members: z.array(stackMemberSchema),
            }),
          ),
        }),
      )
      .describe('deploy order: a numbered wave waits for the waves before it'),
    member_count: z.number().int(),
  })
  .meta({ id: 'Stacks' });
export type StacksView = z.infer<typeof stacksViewSchema>;

/** The plan's waves and stacks with each member's observed state (pure). */
export function stacksView(plan: Plan, seen: ReadonlyMap<string, MemberObservation>): StacksView {
  return {
    member_count: plan.memberCount,
    waves: plan.waves.map((w) => ({
      wave: w.wave,
      stacks: w.stacks.map((s) => ({
        name: s.name,
        deploy_wave: s.deployWave,
        applications: s.applications,
        members: s.layers.flatMap((l) =>
          l.members.map((m) => {
            const o = seen.get(m.id);
            return {
              id: m.id,
              kind: m.kind,
              name: m.name,
              namespace: m.namespace ?? null,
              chart: m.chart?.name ?? null,
              version: m.chart?.version ?? null,
              parents: m.parents,
              layer: l.index,
              state: o?.state ?? 'Pending',
              health: healthOfState(o ? (o.state ?? 'Pending') : undefined),
              message: o?.message ?? (o ? '' : 'not reported by the agent yet'),
            };
          }),
        ),
      })),
    })),
  };
}

/** The stored definition's plan; null when it no longer loads (it was valid when imported). */
export function storedPlan(path: string, filesJson: string): Plan | null {
  try {
    const files = JSON.parse(filesJson) as Record<string, string>;
    const r = loadDefinition(new MemoryFileSource(files), path);
    return r.definition ? buildPlan(r.definition) : null;
  } catch {
    return null;
  }
}
