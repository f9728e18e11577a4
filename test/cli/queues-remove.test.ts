/**
 * `gantry queues pause` of a queue nobody has used warns that it made one (a typo, most
 * likely), and `gantry queues rm` removes a queue without jobs, on both engines.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliEngines, gantry, gantryJson } from './cli-helpers.js';

const { engines, cleanup } = await cliEngines('cli_queues');
afterAll(cleanup);

const names = async (url: string): Promise<string[]> =>
  (await gantryJson<{ name: string }[]>(url, ['queues', 'ls'])).map((q) => q.name);

describe.each(engines)('gantry queues pause and rm (%s)', { timeout: 60_000 }, (_engine, url) => {
  it('warns when pause makes a queue, and rm removes it', async () => {
    expect((await gantry(['--url', url, 'enqueue', 'hello', '--queue', 'emails'])).code).toBe(0);
    const typo = await gantry(['--url', url, 'queues', 'pause', 'emials']);
    expect(typo.code, typo.stderr).toBe(0);
    expect(typo.stderr).toBe(
      'warning: queue "emials" had no jobs and no settings: it now exists paused; ' +
        'if the name is a typo, remove it with `gantry queues rm emials`\n',
    );
    const known = await gantry(['--url', url, 'queues', 'pause', 'emails']);
    expect(known.code, known.stderr).toBe(0);
    expect(known.stderr).toBe('');
    expect(await names(url)).toEqual(['emails', 'emials']);

    const rm = await gantry(['--url', url, 'queues', 'rm', 'emials']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toBe('emials removed\n');
    expect(await names(url)).toEqual(['emails']);
  });

  it('refuses to remove a queue with jobs, or one that does not exist', async () => {
    const busy = await gantry(['--url', url, 'queues', 'rm', 'emails']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/^error \[QUEUE_NOT_EMPTY\]: queue "emails" still holds 1 job; /);
    const none = await gantry(['--url', url, 'queues', 'rm', 'nosuch']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error \[NOT_FOUND\]: queue "nosuch" does not exist/);
  });
});
