import type { Recipe } from '../recipe/schema.ts';
import { formatMiB, parseSize } from '../recipe/size.ts';

export interface BudgetLine { item: string; actual: number; budget?: number; ok: boolean }

/** Size report of a build against the recipe's budget; any line not ok fails the build. */
export function checkBudget(budget: Recipe['size-budget'], sizes: { qcow2?: number; rawAllocated?: number; rootfs: number; oci?: number }): BudgetLine[] {
  const line = (item: string, actual: number | undefined, limit?: string): BudgetLine[] =>
    actual === undefined ? [] : [{ item, actual, budget: limit ? parseSize(limit) : undefined, ok: !limit || actual <= parseSize(limit) }];
  return [
    ...line('qcow2', sizes.qcow2, budget?.qcow2),
    ...line('raw-allocated', sizes.rawAllocated, budget?.['raw-allocated']),
    ...line('rootfs', sizes.rootfs, budget?.rootfs),
    ...line('oci', sizes.oci, budget?.oci),
  ];
}

export function formatBudget(lines: BudgetLine[]): string {
  return lines.map((l) => `${l.ok ? 'ok  ' : 'OVER'} ${l.item.padEnd(14)} ${formatMiB(l.actual).padStart(11)}${l.budget ? ` / budget ${formatMiB(l.budget)}` : ''}`).join('\n');
}
