import { AppError, conflict, invalid, unprocessable } from '../../platform/errors.ts';

/** Error codes of the catalog's variation families (see families.service.ts). */
export const FamilyErrors = {
  familyNotFound: 'family_not_found',
  invalidAxes: 'invalid_axes',
  invalidOptions: 'invalid_options',
  optionsMismatch: 'options_mismatch',
  variantExists: 'variant_exists',
  familySellerMismatch: 'family_seller_mismatch',
  axisInUse: 'axis_in_use',
} as const;

export const familyNotFound = (id: string) => new AppError(FamilyErrors.familyNotFound, 'not_found', `Product family ${id} was not found`, { id });

/** A family named in a product write that does not exist: the write is refused, not the URL. */
export const familyNotFoundForWrite = (id: string) => unprocessable(FamilyErrors.familyNotFound, `Product family ${id} does not exist`, { family_id: id });

export const invalidAxes = (message: string, details?: Record<string, unknown>) => invalid(FamilyErrors.invalidAxes, message, details);

export const invalidOptions = (message: string, details?: Record<string, unknown>) => invalid(FamilyErrors.invalidOptions, message, details);

export const optionsMismatch = (message: string, details?: Record<string, unknown>) => unprocessable(FamilyErrors.optionsMismatch, message, details);

export const variantExists = (familyId: string, options: Record<string, string>) =>
  conflict(FamilyErrors.variantExists, 'Another product of this family already has these options', { family_id: familyId, options });

export const familySellerMismatch = (familyId: string) =>
  unprocessable(FamilyErrors.familySellerMismatch, 'A product joins only a family of its own seller', { family_id: familyId });

export const axisInUse = (message: string, details: Record<string, unknown>) => conflict(FamilyErrors.axisInUse, message, details);
