import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_identity.ts';

export { IdentityService, type IdentityOptions } from './identity.service.ts';
export type { Account, Address, NewAddress, Principal, Role } from './identity.types.ts';

export const identitySchema: ModuleSchema = { module: 'identity', domain: 'main', migrations: { '0001_identity': m0001 } };
