import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** Keys of the settings table; one place, so a typo cannot create a second setting. */
export const PUBLIC_URL_SETTING = 'public_url';

export async function getSetting(db: Kysely<Schema>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setSetting(db: Kysely<Schema>, key: string, value: string): Promise<void> {
  const updated_at = new Date().toISOString();
  await db.insertInto('settings').values({ key, value, updated_at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at }))
    .execute();
}
