import type { Command } from 'commander';
import { openServices } from '../../release/open-services.ts';
import { respinProduct } from '../../release/respin.ts';
import { type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** `herd respin PRODUCT`: the product's respin policy, applied once now; a due respin is a build job for `herd serve`'s worker. */
export function registerRespin(program: Command): void {
  withServiceOptions(program.command('respin').argument('<product>', 'product id'))
    .description("decide by the recipe's respin policy whether the product is due a respin, and if so queue its build (built, tested, published to testing, promoted by the policy) and those of the products that extend it")
    .option('--dry-run', 'decide and say why, queue nothing')
    .option('--force', 'queue a respin even when the policy says it is not due')
    .option('--json', 'print JSON')
    .action(async (product: string, o: RawServiceOptions & { dryRun?: boolean; force?: boolean; json?: boolean }) => {
      const svc = await openServices(serviceOptions(o));
      try {
        const r = await respinProduct(svc, product, { dryRun: o.dryRun, force: o.force });
        if (o.json) {
          process.stdout.write(JSON.stringify({ decision: r.decision, job: r.job, inFlight: r.inFlight, failedRecently: r.failedRecently, dependents: r.dependents, release: r.updates.release }, null, 2) + '\n');
          return;
        }
        process.stdout.write(`${product} ${r.updates.release.version}: ${r.decision.due ? 'due' : 'not due'}: ${r.decision.why}\n`);
        if (r.job) process.stdout.write(`queued build job ${r.job.id} (herd serve's worker builds, tests and publishes it to testing)\n`);
        else if (r.inFlight) process.stdout.write(`a build of ${product} is already ${r.inFlight.state} (job ${r.inFlight.id}): nothing queued\n`);
        else if (r.failedRecently) process.stdout.write(`the last respin build of ${product} failed (job ${r.failedRecently.id}, ${r.failedRecently.finishedAt}): nothing queued for 6 hours after it; --force queues one now\n`);
        else if (r.decision.due && o.dryRun) process.stdout.write('dry run: nothing queued\n');
        if (r.dependents?.length) process.stdout.write(`products that extend ${product}:\n`);
        for (const d of r.dependents ?? []) {
          const what = d.job ? `queued build job ${d.job.id}` : d.inFlight ? `a build is already ${d.inFlight.state} (job ${d.inFlight.id})` : 'would be respun';
          process.stdout.write(`  ${d.product} (${d.why}): ${what}\n`);
        }
        if (r.decision.nextSlot) process.stdout.write(`next scheduled respin: ${r.decision.nextSlot.toISOString().slice(0, 10)}\n`);
      } finally {
        await svc.close();
      }
    });
}
