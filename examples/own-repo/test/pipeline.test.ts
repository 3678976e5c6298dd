import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectConverged, startStack, type ChaosStack } from 'outbox-chaos';

// One stack for the file: started here, or the one `npx outbox-chaos up --detach --name <name>` left running.
const name = process.env.OUTBOX_CHAOS_STACK ?? 'my-pipeline';
let stack: ChaosStack;

beforeAll(async () => {
  stack = await startStack({ name, portBase: Number(process.env.OUTBOX_CHAOS_PORT_BASE ?? 16400) });
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
    { name: 'quick-burst', workload: { duration: '5s', rate: 50, keySpace: 100 } },
    { connectors: './pipeline' },
  );
  expectConverged(result);
  expect(result.reportPath).toMatch(/reports\/.+\/index\.html$/);
});
