import { isAppError, type AppError } from '../../src/platform/errors.ts';

/** The AppError a call is refused with; fails the test when it succeeds or throws anything else. */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be refused with an AppError');
}

/** The code a call is refused with. */
export const codeOf = async (promise: Promise<unknown>): Promise<string> => (await refusal(promise)).code;
