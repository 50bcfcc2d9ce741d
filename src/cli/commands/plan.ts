import type { Command } from 'commander';
import { planImage } from '../../engine/build-image.ts';
import { StepCache } from '../../engine/step-cache.ts';
import { defaultCacheDir } from '../../engine/cache-dir.ts';

export function registerPlan(program: Command): void {
  program.command('plan')
    .description('print the build plan (steps and their cache ids) without building')
    .argument('<recipe>', 'recipe file')
    .option('--lock <resolved.json>', 'plan with the archive state and package set of an earlier build (no network)')
    .option('--cache <dir>', 'step cache to report hits from')
    .option('--json', 'print the plan as JSON')
    .action(async (recipe: string, o) => {
      // reading (recipe files, archive state, lock) happens in planImage; the planner itself is pure, and
      // asking the cache is read-only so `herd plan` never keeps entries alive past `herd cache prune`
      const { plan, resolved } = await planImage(recipe, o.lock);
      if (o.json) return void process.stdout.write(JSON.stringify(plan, null, 2) + '\n');
      const cache = new StepCache(o.cache ?? defaultCacheDir());
      process.stdout.write(`${plan.name} ${plan.imageVersion}  recipe ${plan.recipeDigest.slice(0, 12)}  SOURCE_DATE_EPOCH=${resolved.sourceDateEpoch}\n`);
      for (const s of plan.steps) {
        const deps = s.inputs.map((i) => i.slice(0, 12)).join(',') || '-';
        process.stdout.write(`  ${s.id.slice(0, 12)}  ${cache.has(s.id) ? 'cached' : 'to run'}  ${s.stage.padEnd(9)} ${s.title.padEnd(28)} ← ${deps}\n`);
      }
      for (const out of plan.outputs) process.stdout.write(`  output ${out.file} (${out.platform}) ← ${out.step.slice(0, 12)}\n`);
    });
}
