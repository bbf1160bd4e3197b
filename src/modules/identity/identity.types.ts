import type { Principal, Role } from '../../platform/principal.ts';

export type { Principal, Role };

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export interface Address {
  id: string;
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  latitude: number;
  longitude: number;
  isDefault: boolean;
  createdAt: Date;
}

export interface NewAddress {
  name?: string;
  line1: string;
  line2?: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  isDefault?: boolean;
}
