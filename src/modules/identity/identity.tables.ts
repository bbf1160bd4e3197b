import type { Generated } from 'kysely';

import type { Role } from '../../platform/principal.ts';

export type { Role };

export interface AccountsTable {
  id: string;
  email: string;
  password_hash: string;
  name: string;
  role: Role;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface AddressesTable {
  id: string;
  account_id: string;
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  latitude: number;
  longitude: number;
  is_default: boolean;
  created_at: Generated<Date>;
}

export interface IdentityTables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  addresses: AddressesTable;
}
