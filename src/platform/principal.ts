/** Account roles. */
export type Role = 'customer' | 'seller' | 'admin';

/** Who is making a request. Every service method that touches customer data takes one. */
export interface Principal {
  accountId: string;
  role: Role;
  sessionId: string;
}
