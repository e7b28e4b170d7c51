import { AwsStepError } from '../../collection/aws/blame.ts';
import { classifyAwsError } from '../../collection/aws/errors.ts';

/** A credential failure of a sync: the connection is disabled with a credentials event. */
export class CredentialFailure extends Error {}

/** A region step after the inventory failed: its name leads its error. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly error: unknown,
  ) {
    super(`${step}: ${describe(error)}`);
  }
}

/** The AWS error of a failure (a step's own, unwrapped), for classification. */
export const awsErrorOf = (error: unknown): unknown => (error instanceof StepError ? error.error : error);

/** A step's failure that already says what failed in its message (no AWS code of its own to add). */
export class DescribedFailure extends Error {}

/** A failure in the words of a run's `error` and `regions[…].error`: the step or AWS code, then AWS's message. */
export function describe(err: unknown): string {
  if (err instanceof StepError || err instanceof DescribedFailure) return err.message;
  if (err instanceof AwsStepError) return `${err.operation}: ${err.code}: ${err.message}`;
  const c = classifyAwsError(err);
  return `${c.code}: ${c.message}`;
}
