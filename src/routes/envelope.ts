import { ErrorResponse } from '../schemas/common.ts';
import { ref } from '../schemas/ref.ts';

/** The success envelope: `{"status":{"result":"OK","message":"","code":200},"response":…}`. */
export function ok<T>(response: T) {
  return { status: { result: 'OK', message: '', code: 200 }, response };
}

/** Error responses every API route documents (and serializes) with the error envelope. */
export const errorResponses = {
  '4xx': ref(ErrorResponse),
  '5xx': ref(ErrorResponse),
};
