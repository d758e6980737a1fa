import { describe, expect, it } from 'vitest';
import { HelmError } from '../src/errors.ts';
import { HelmRunner } from '../src/runner.ts';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('HelmRunner', () => {
  it('a helm that cannot be started is a HelmError and leaves no timer behind to keep the process alive', async () => {
    const runner = new HelmRunner({ binary: '/nonexistent/helm' });
    const before = timers();
    const e = await runner.run(['version'], { killAfterMs: 600_000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HelmError);
    expect((e as HelmError).message).toBe('cannot run /nonexistent/helm: spawn /nonexistent/helm ENOENT');
    expect(timers()).toBe(before);
  });
});
