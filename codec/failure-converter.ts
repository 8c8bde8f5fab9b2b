import { DefaultFailureConverter, type PayloadConverter, type ProtoFailure } from '@temporalio/common';
import { QUERY_RAN_AHEAD } from '../workflows/legacy-query-guard';

/**
 * Loaded by path (`failureConverterPath`) in the worker and inside the workflow bundle: failure messages and stack
 * traces move into an encoded payload, so the payload codec encrypts them like any other data. Every SDK client
 * decodes such failures whether or not it sets this option.
 *
 * One exception: the query guard's refusal (workflows/legacy-query-guard.ts) stays plain. A failed query reaches
 * the client as a gRPC error carrying only the failure's message, so an encoded one reads "Encoded failure" and
 * the client could never tell it must ask again (with encryption on, a read after a worker crash failed with a
 * 500). The refusal is a fixed sentence with no data in it.
 */
class EncodingFailureConverter extends DefaultFailureConverter {
  private readonly plain = new DefaultFailureConverter();

  constructor() {
    super({ encodeCommonAttributes: true });
  }

  override errorToFailure(err: unknown, payloadConverter: PayloadConverter): ProtoFailure {
    if (err instanceof Error && err.message === QUERY_RAN_AHEAD)
      return this.plain.errorToFailure(err, payloadConverter);
    return super.errorToFailure(err, payloadConverter);
  }
}

export const failureConverter = new EncodingFailureConverter();
