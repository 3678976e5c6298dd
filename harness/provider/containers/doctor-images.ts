import { BUILT_LABEL } from './built-images.ts';
import { runtimeClient } from './docker.ts';
import { chooseImageSet, engineProbe } from './image-set.ts';

/** doctor's view of the images: which set a run would use and why, and what of the built set is on the engine. */
export async function imageSetLines(flag: string | undefined): Promise<{ lines: string[]; problems: string[] }> {
  const client = await runtimeClient();
  const docker = client.container.dockerode;
  const choice = await chooseImageSet(flag, process.env, engineProbe(docker));
  const lines = [`✓ ${choice.set} (${choice.why})`];
  const built = await docker.listImages({ filters: { label: [BUILT_LABEL] } });
  const tags = built.flatMap((i) => i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  if (choice.set === 'built')
    lines.push(
      tags.length
        ? `  built images on the engine: ${tags.sort().join(', ')}; a run rebuilds only layers whose inputs changed`
        : '  no built image on the engine yet: the first run builds them (about 10 minutes, then cached)',
    );
  return { lines, problems: [] };
}
