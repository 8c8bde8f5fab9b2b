import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { failureConverter } from '../../codec/failure-converter';
import { QUERY_RAN_AHEAD } from '../../workflows/legacy-query-guard';

it('moves a failure message into the encoded attributes, so the codec encrypts it', () => {
  const failure = failureConverter.errorToFailure(
    ApplicationFailure.nonRetryable('budget of proposal prp_secret exceeded', 'BudgetExceeded'),
    defaultPayloadConverter,
  );
  expect(failure.message).toBe('Encoded failure');
  expect(failure.encodedAttributes).toBeTruthy();
  expect(JSON.stringify(failure)).not.toContain('prp_secret');
  // Every client decodes it back.
  expect(failureConverter.failureToError(failure, defaultPayloadConverter).message).toBe(
    'budget of proposal prp_secret exceeded',
  );
});

it("keeps the query guard's refusal readable: a failed query reaches the client as its message only", () => {
  const failure = failureConverter.errorToFailure(new Error(QUERY_RAN_AHEAD), defaultPayloadConverter);
  expect(failure.message).toBe(QUERY_RAN_AHEAD);
  expect(failure.encodedAttributes).toBeFalsy();
});
