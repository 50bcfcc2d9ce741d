import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * Portal passwords: scrypt (memory-hard, in Node's own crypto), a random 16-byte salt each, stored as
 * `scrypt$N$r$p$salt$hash` so the cost can rise later without breaking stored hashes. The cost is
 * ~50 ms per check on this class of machine: slow for an attacker with a stolen database, cheap enough
 * for a sign-in (which is rate limited besides).
 */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LEN = 32;
/** Longer inputs are refused before hashing: a megabyte "password" must not cost the server anything. */
export const PASSWORD_MAX = 256;
export const PASSWORD_MIN = 12;

function scrypt(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 128 * o.N * o.r * 2 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEY_LEN, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** Refuses a password that is too short or too long, with the rule in the hint. */
export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new AppError('account.weak_password', `a password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters (it has ${password.length})`, {
      hint: 'use a passphrase of several words, or a password manager\'s generated password',
    });
  }
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` hashes to `stored`; a malformed stored value is never a match. Constant time in the hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX) return false;
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger) || cost.N > 2 ** 20 || cost.r > 32 || cost.p > 16) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), cost);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * A hash of a random password, computed once: checked against when the account name is unknown, so a
 * sign-in for a missing account costs the same time as one with a wrong password (no name probing by timing).
 */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64'));
  return dummy;
}
