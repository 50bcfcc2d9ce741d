import { formatBytes } from '../lib/format.ts';
import type { CheckDetail } from './library-types.ts';

export function sizeText(size: CheckDetail['size'] | null): string {
  if (!size || size.bytes === undefined) return '–';
  const budget = size.budget !== undefined ? ` of ${formatBytes(size.budget)} budget` : '';
  return `${formatBytes(size.bytes)}${size.item ? ` (${size.item})` : ''}${budget}${size.ok ? '' : ', over budget'}`;
}

/** A check's outcome in words: which of build, boot test and size budget passed. */
export function checkText(state: string, d: CheckDetail | null): string {
  if (state === 'pending') return 'queued';
  if (state === 'running') return 'building and testing';
  if (!d) return state;
  const parts = [`build ${d.build}`, d.boot === 'not_run' ? 'boot test not run' : `boot test ${d.boot}`];
  if (d.size) parts.push(d.size.ok ? 'within size budget' : 'over size budget');
  return parts.join(', ');
}
