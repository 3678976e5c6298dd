import { defineConfig } from 'vitest/config';

export default defineConfig({
  // A run takes tens of seconds, a first stack start about a minute.
  test: { testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false },
});
