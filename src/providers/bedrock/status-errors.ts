/**
 * Bedrock Runtime's own answers to a rate limit, a server error and an overload. The AWS SDK
 * names the error it throws from `x-amzn-errortype` (restJson1), so without that header a
 * ThrottlingException reaches the app as an unnamed error and its retry handling is not tested.
 */
import type { ErrorStatus, StatusErrorAnswer } from '../module.ts';

const ERRORS: Record<ErrorStatus, { type: string; message: string }> = {
  429: {
    type: 'ThrottlingException',
    message: 'Too many requests, please wait before trying again.',
  },
  500: {
    type: 'InternalServerException',
    message: 'The server encountered an error processing your request.',
  },
  503: {
    type: 'ServiceUnavailableException',
    message: 'Bedrock is unable to process your request.',
  },
};

export function bedrockStatusError(status: ErrorStatus, requestId: string): StatusErrorAnswer {
  const { type, message } = ERRORS[status];
  return {
    body: { message },
    headers: [
      ['x-amzn-errortype', `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`],
      ['x-amzn-requestid', requestId],
    ],
  };
}
