import { createHash } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { AppError, conflict, forbidden, notFound, unprocessable } from '../../platform/errors.ts';
import { resolvePostalCode } from '../../platform/geo.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../platform/database.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import * as repo from './identity.repository.ts';
import type { Account, Address, NewAddress, Principal, Role } from './identity.types.ts';

export interface IdentityOptions {
  sessionTtlHours: number;
  maxAddresses?: number;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
// Verified against when the email is unknown, so a miss costs the same time as a wrong password.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$tNfBQAiqElADXBH0s/b5Uw$nNYfEqqPis6/L8BQgqaSkg1m8MRXGnBZjcQ3mwBv+MY';

/**
 * Accounts, login sessions and addresses.
 *
 * Error codes: `email_taken` (409), `invalid_credentials` (401), `unknown_postal_code` /
 * `unsupported_country` (422), `too_many_addresses` (422), `account_not_found` / `address_not_found` (404).
 * Tokens are opaque random strings; only their SHA-256 is stored.
 */
export class IdentityService {
  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
    private readonly options: IdentityOptions,
  ) {}

  async register(input: { email: string; password: string; name: string }, role: Role = 'customer') {
    const passwordHash = await hash(input.password);
    let account: Account;
    try {
      account = await repo.insertAccount(this.db, { id: newId(), email: input.email.trim(), passwordHash, name: input.name.trim(), role });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw conflict('email_taken', 'An account with this email already exists');
      throw error;
    }
    const session = await this.startSession(account.id);
    return { account, ...session };
  }

  async login(input: { email: string; password: string }) {
    const row = await repo.findAccountByEmail(this.db, input.email.trim());
    const ok = await verify(row?.password_hash ?? DUMMY_HASH, input.password).catch(() => false);
    if (!row || !ok) throw new AppError('invalid_credentials', 'unauthenticated', 'Email or password is wrong');
    return this.startSession(row.id);
  }

  async logout(principal: Principal): Promise<void> {
    await repo.revokeSession(this.db, principal.sessionId, this.clock.now());
  }

  /** The principal behind a bearer token, or undefined if it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const row = await repo.findLiveSession(this.db, hashToken(token), this.clock.now());
    return row ? { accountId: row.account_id, role: row.role, sessionId: row.session_id } : undefined;
  }

  async getAccount(id: string): Promise<Account> {
    const account = await repo.findAccountById(this.db, id);
    if (!account) throw notFound('account', id);
    return account;
  }

  /** The account with this email (any letter case), for staff looking a customer up. */
  async findAccountByEmail(email: string): Promise<Account | undefined> {
    const row = await repo.findAccountByEmail(this.db, email.trim());
    return row ? repo.toAccount(row) : undefined;
  }

  /** Accounts by id (unknown ids are absent), for staff lists that show who ordered. */
  async findAccounts(ids: string[]): Promise<Map<string, Account>> {
    const accounts = await repo.findAccountsByIds(this.db, [...new Set(ids)]);
    return new Map(accounts.map((a) => [a.id, a]));
  }

  async setRole(accountId: string, role: Role): Promise<Account> {
    const account = await repo.updateAccount(this.db, accountId, { role });
    if (!account) throw notFound('account', accountId);
    return account;
  }

  /** Creates an admin, or promotes and re-passwords an existing account with that email. */
  async createAdmin(input: { email: string; password: string; name: string }): Promise<Account> {
    const existing = await repo.findAccountByEmail(this.db, input.email);
    const passwordHash = await hash(input.password);
    if (existing) return (await repo.updateAccount(this.db, existing.id, { role: 'admin', passwordHash }))!;
    return repo.insertAccount(this.db, { id: newId(), email: input.email, passwordHash, name: input.name, role: 'admin' });
  }

  async addAddress(principal: Principal, input: NewAddress): Promise<Address> {
    const coordinates = resolvePostalCode(input.postalCode, input.country);
    return this.db.transaction().execute(async (trx) => {
      const count = await repo.countAddresses(trx, principal.accountId);
      if (count >= (this.options.maxAddresses ?? 20)) {
        throw unprocessable('too_many_addresses', `An account may keep at most ${this.options.maxAddresses ?? 20} addresses`);
      }
      const makeDefault = count === 0 || input.isDefault === true;
      if (makeDefault) await repo.clearDefaultAddress(trx, principal.accountId);
      return repo.insertAddress(trx, {
        id: newId(),
        account_id: principal.accountId,
        name: input.name ?? null,
        line1: input.line1,
        line2: input.line2 ?? null,
        city: input.city,
        region: input.region,
        postal_code: input.postalCode.trim(),
        country: input.country.toUpperCase(),
        latitude: coordinates.latitude,
        longitude: coordinates.longitude,
        is_default: makeDefault,
      });
    });
  }

  async listAddresses(principal: Principal): Promise<Address[]> {
    return repo.listAddresses(this.db, principal.accountId);
  }

  /** An address of the principal's own; another customer's address is reported as not found. */
  async getAddress(principal: Principal, id: string): Promise<Address> {
    const address = await repo.findAddress(this.db, principal.accountId, id);
    if (!address) throw notFound('address', id);
    return address;
  }

  async findDefaultAddress(principal: Principal): Promise<Address | undefined> {
    const addresses = await repo.listAddresses(this.db, principal.accountId);
    return addresses.find((a) => a.isDefault);
  }

  async deleteAddress(principal: Principal, id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const deleted = await repo.deleteAddress(trx, principal.accountId, id);
      if (!deleted) throw notFound('address', id);
      if (deleted.is_default) await repo.promoteOldestAddress(trx, principal.accountId);
    });
  }

  async deleteExpiredSessions(): Promise<number> {
    return repo.deleteExpiredSessions(this.db, this.clock.now());
  }

  assertRole(principal: Principal, ...roles: Role[]): void {
    if (!roles.includes(principal.role)) throw forbidden();
  }

  private async startSession(accountId: string) {
    const token = `bz_${randomToken()}`;
    const expiresAt = new Date(this.clock.now().getTime() + this.options.sessionTtlHours * 3600_000);
    await repo.insertSession(this.db, { id: newId(), accountId, tokenHash: hashToken(token), expiresAt });
    return { token, expiresAt };
  }
}
