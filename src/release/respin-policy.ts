import type { Recipe } from '../recipe/schema.ts';
import { WEEKDAYS } from '../recipe/schema.ts';
import { parseDuration } from './duration.ts';
import type { PendingUpdate } from './pending-updates.ts';

/** A product's respin policy with its defaults filled in (src/recipe/schema.ts respinSchema documents them). */
export interface RespinPolicy {
  schedule: 'monthly' | 'weekly' | 'none';
  day: (typeof WEEKDAYS)[number];
  security: 'immediate' | 'scheduled';
  firstBoot: 'immediate' | 'scheduled';
  /** testing → stable: by the respin job once QA passed, by `herd serve` after a soak (`soakMs`), or by hand. */
  promote: 'after-qa' | 'soak' | 'manual';
  soakMs?: number;
}

export function respinPolicy(r: Pick<Recipe, 'respin'>): RespinPolicy {
  return {
    schedule: r.respin?.schedule ?? 'monthly',
    day: r.respin?.day ?? 'tuesday',
    security: r.respin?.security ?? 'immediate',
    firstBoot: r.respin?.['first-boot'] ?? 'scheduled',
    ...promotion(r.respin?.promote ?? 'after-qa'),
  };
}

function promotion(p: string): Pick<RespinPolicy, 'promote' | 'soakMs'> {
  return p === 'after-qa' || p === 'manual' ? { promote: p } : { promote: 'soak', soakMs: parseDuration(p, 'respin.promote') };
}

/** What a soak promotion looks at: the product's newest published, unrevoked release. */
export interface PromotionCandidate { channel: string; publishedAt: string | null; untested: boolean; revokedAt?: string | null }

/**
 * Whether `herd serve` promotes the product's newest release to stable now: only with a soak policy, only a
 * release in testing that passed QA (an untested one never reaches stable), once it has been published that long.
 * Its caller passes the newest release, so a testing release that a newer one superseded is never promoted.
 */
export function soakPromotionDue(policy: RespinPolicy, r: PromotionCandidate, now: Date): { due: boolean; why: string } {
  if (policy.promote !== 'soak') return { due: false, why: `promotion is ${policy.promote}` };
  if (r.channel !== 'testing') return { due: false, why: `the newest release is in ${r.channel}` };
  if (r.revokedAt) return { due: false, why: 'the newest release is revoked' };
  if (r.untested || !r.publishedAt) return { due: false, why: 'the newest release was published without QA: it never reaches stable' };
  const soaked = now.getTime() - new Date(r.publishedAt).getTime();
  return soaked >= policy.soakMs!
    ? { due: true, why: `in testing for ${Math.floor(soaked / 3_600_000)} h, past its soak of ${policy.soakMs! / 3_600_000} h` }
    : { due: false, why: `soaking in testing until ${new Date(new Date(r.publishedAt).getTime() + policy.soakMs!).toISOString()}` };
}

/** `base`: the recipe this product extends was respun (src/release/respin.ts). */
export type RespinReason = 'security' | 'first-boot' | 'scheduled' | 'base';

export interface RespinDecision {
  due: boolean;
  reason?: RespinReason;
  /** For people and logs: why, or why not. */
  why: string;
  /** The updates that make it due (all pending ones for a scheduled respin). */
  updates: PendingUpdate[];
  /** The schedule's next slot after `now` (UTC midnight), when there is a schedule. */
  nextSlot?: Date;
}

const DAY_MS = 86_400_000;

/** The schedule's slots (UTC midnights): every `day` (weekly), or the first `day` of each month (monthly). */
export function slotOnOrBefore(policy: RespinPolicy, at: Date): Date | undefined {
  if (policy.schedule === 'none') return undefined;
  const want = (WEEKDAYS.indexOf(policy.day) + 1) % 7; // JS: 0 is Sunday
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (policy.schedule === 'weekly') {
    const back = (new Date(midnight).getUTCDay() - want + 7) % 7;
    return new Date(midnight - back * DAY_MS);
  }
  const firstOf = (y: number, m: number) => {
    const first = Date.UTC(y, m, 1);
    return new Date(first + ((want - new Date(first).getUTCDay() + 7) % 7) * DAY_MS);
  };
  const thisMonth = firstOf(at.getUTCFullYear(), at.getUTCMonth());
  return thisMonth.getTime() <= midnight ? thisMonth : firstOf(at.getUTCFullYear(), at.getUTCMonth() - 1);
}

function nextSlotAfter(policy: RespinPolicy, at: Date): Date | undefined {
  if (policy.schedule === 'none') return undefined;
  // the first slot later than `at`: step a day at a time from tomorrow (at most a month and a week)
  for (let t = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) + DAY_MS; ; t += DAY_MS) {
    if (slotOnOrBefore(policy, new Date(t))!.getTime() === t) return new Date(t);
  }
}

/**
 * Whether a product is due for a respin now. Nothing pending: never (a respin of an unchanged package set
 * makes the same image). A security update, with security: immediate: at once. An update to a first-boot
 * package, with first-boot: immediate: at once. Otherwise when a schedule slot has passed since the last
 * release. `lastRelease` is when the newest release was made (its creation time).
 */
export function respinDecision(policy: RespinPolicy, o: { updates: PendingUpdate[]; lastRelease: Date; now: Date }): RespinDecision {
  const nextSlot = nextSlotAfter(policy, o.now);
  const base = { updates: [] as PendingUpdate[], ...(nextSlot ? { nextSlot } : {}) };
  if (o.updates.length === 0) return { ...base, due: false, why: 'no updates pending: a respin would build the same packages' };
  const security = o.updates.filter((u) => u.security);
  if (policy.security === 'immediate' && security.length) {
    return { ...base, due: true, reason: 'security', updates: security, why: `${security.length} security update${security.length === 1 ? '' : 's'} pending (${security.map((u) => u.name).join(', ')})` };
  }
  const firstBoot = o.updates.filter((u) => u.firstBoot);
  if (policy.firstBoot === 'immediate' && firstBoot.length) {
    return { ...base, due: true, reason: 'first-boot', updates: firstBoot, why: `first-boot package${firstBoot.length === 1 ? '' : 's'} updated (${firstBoot.map((u) => u.name).join(', ')})` };
  }
  const slot = slotOnOrBefore(policy, o.now);
  if (slot && o.lastRelease.getTime() < slot.getTime()) {
    return { ...base, due: true, reason: 'scheduled', updates: o.updates, why: `the ${policy.schedule} respin of ${slot.toISOString().slice(0, 10)} has not run (${o.updates.length} updates pending)` };
  }
  return { ...base, due: false, why: slot ? `${o.updates.length} updates wait for the next ${policy.schedule} respin` : `${o.updates.length} updates pending; no schedule, and none is urgent by the policy` };
}
