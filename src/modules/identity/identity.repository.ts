import type { Executor } from '../../platform/database.ts';
import type { Account, Address } from './identity.types.ts';
import type { Insertable, Selectable } from 'kysely';
import type { AccountsTable, AddressesTable, IdentityTables, Role } from './identity.tables.ts';

type Db = Executor<IdentityTables>;
const as = (executor: Executor<any>) => executor as Db;

export const toAccount = (row: Pick<Selectable<AccountsTable>, 'id' | 'email' | 'name' | 'role' | 'created_at'>): Account => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  createdAt: row.created_at,
});

const toAddress = (row: Selectable<AddressesTable>): Address => ({
  id: row.id,
  name: row.name,
  line1: row.line1,
  line2: row.line2,
  city: row.city,
  region: row.region,
  postalCode: row.postal_code,
  country: row.country,
  latitude: row.latitude,
  longitude: row.longitude,
  isDefault: row.is_default,
  createdAt: row.created_at,
});

export async function insertAccount(
  executor: Executor<any>,
  account: { id: string; email: string; passwordHash: string; name: string; role: Role },
) {
  const row = await as(executor)
    .insertInto('accounts')
    .values({ id: account.id, email: account.email, password_hash: account.passwordHash, name: account.name, role: account.role })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAccount(row);
}

export async function findAccountByEmail(executor: Executor<any>, email: string) {
  return as(executor)
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export async function findAccountById(executor: Executor<any>, id: string) {
  const row = await as(executor).selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function findAccountsByIds(executor: Executor<any>, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await as(executor).selectFrom('accounts').select(['id', 'email', 'name', 'role', 'created_at']).where('id', 'in', ids).execute();
  return rows.map(toAccount);
}

export async function updateAccount(executor: Executor<any>, id: string, changes: { role?: Role; passwordHash?: string; name?: string }) {
  const row = await as(executor)
    .updateTable('accounts')
    .set({
      ...(changes.role ? { role: changes.role } : {}),
      ...(changes.passwordHash ? { password_hash: changes.passwordHash } : {}),
      ...(changes.name ? { name: changes.name } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function insertSession(executor: Executor<any>, session: { id: string; accountId: string; tokenHash: string; expiresAt: Date }) {
  await as(executor)
    .insertInto('sessions')
    .values({ id: session.id, account_id: session.accountId, token_hash: session.tokenHash, expires_at: session.expiresAt, revoked_at: null })
    .execute();
}

export async function findLiveSession(executor: Executor<any>, tokenHash: string, now: Date) {
  return as(executor)
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(['sessions.id as session_id', 'accounts.id as account_id', 'accounts.role'])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
}

export async function revokeSession(executor: Executor<any>, sessionId: string, now: Date) {
  await as(executor).updateTable('sessions').set({ revoked_at: now }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

export async function deleteExpiredSessions(executor: Executor<any>, now: Date) {
  const result = await as(executor).deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertAddress(executor: Executor<any>, row: Insertable<AddressesTable>) {
  const inserted = await as(executor).insertInto('addresses').values(row).returningAll().executeTakeFirstOrThrow();
  return toAddress(inserted);
}

export async function listAddresses(executor: Executor<any>, accountId: string) {
  const rows = await as(executor)
    .selectFrom('addresses')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('is_default', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toAddress);
}

export async function findAddress(executor: Executor<any>, accountId: string, id: string) {
  const row = await as(executor).selectFrom('addresses').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  return row ? toAddress(row) : undefined;
}

export async function clearDefaultAddress(executor: Executor<any>, accountId: string) {
  await as(executor).updateTable('addresses').set({ is_default: false }).where('account_id', '=', accountId).where('is_default', '=', true).execute();
}

export async function deleteAddress(executor: Executor<any>, accountId: string, id: string) {
  const row = await as(executor).deleteFrom('addresses').where('id', '=', id).where('account_id', '=', accountId).returning('is_default').executeTakeFirst();
  return row;
}

export async function promoteOldestAddress(executor: Executor<any>, accountId: string) {
  const oldest = await as(executor)
    .selectFrom('addresses')
    .select('id')
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (oldest) await as(executor).updateTable('addresses').set({ is_default: true }).where('id', '=', oldest.id).execute();
}

export async function countAddresses(executor: Executor<any>, accountId: string) {
  const row = await as(executor)
    .selectFrom('addresses')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
