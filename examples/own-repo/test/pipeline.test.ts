import { afterAll, beforeAll, expect, it } from 'vitest';
import { attachStack, expectConverged, startStack, type ChaosStack } from 'outbox-chaos';

// One stack for the file. OUTBOX_CHAOS_STACK=<name>: the one `npx outbox-chaos up --detach --name <name>` left
// running (as a CI job starts it); otherwise a stack of our own, started here or reused when already running.
const shared = process.env.OUTBOX_CHAOS_STACK;
let stack: ChaosStack;

beforeAll(async () => {
  stack = shared ? await attachStack(shared) : await startStack({ name: 'my-pipeline', portBase: 16400 });
});

afterAll(async () => {
  await stack?.stop(); // only when this file started it
});

it('our pipeline converges under our own scenario', async () => {
  const result = await stack.run('my-scenario', { connectors: './pipeline' });
  expectConverged(result);
});

it('an inline scenario: a short burst with no faults', async () => {
  const result = await stack.run(
    {
      name: 'quick-burst',
      description: 'A short burst, no faults.',
      workload: { duration: '5s', rate: 50, keySpace: 100 },
    },
    { connectors: './pipeline' },
  );
  expectConverged(result);
  expect(result.reportPath).toMatch(/reports\/.+\/index\.html$/);
});
