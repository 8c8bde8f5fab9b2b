import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (`failureConverterPath`) in the worker and inside the workflow bundle: failure messages and stack
 * traces move into an encoded payload, so the payload codec encrypts them like any other data. Every SDK client
 * decodes such failures whether or not it sets this option.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
