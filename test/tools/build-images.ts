// Builds the containers provider's `built` image set (cached on the engine: only layers whose inputs changed
// are built again), for .ci/run before the tests: the containers tests then start from a warm engine.
import { ensureBuiltImages } from '../../harness/provider/containers/image-build.ts';
import { cacheDir } from '../../harness/provision/paths.ts';

const t0 = Date.now();
const r = await ensureBuiltImages({
  cache: cacheDir(),
  log: (l) => console.log(`  ${l}`),
});
const took = ((Date.now() - t0) / 1000).toFixed(0);
console.log(`built image set ready in ${took} s (${r.built.length ? `built ${r.built.join(', ')}` : 'all cached'})`);
for (const [name, tag] of Object.entries(r.images)) console.log(`  ${name.padEnd(14)} ${tag}`);
