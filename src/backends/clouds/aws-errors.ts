import { AppError } from '../../errors.ts';
import { credentialsError, RetryableCloudError } from './cloud-target.ts';

/** Error names (the EC2/S3 `Code`, or the SDK's own) that mean the credentials are missing, wrong or not allowed. */
const AUTH = new Set([
  'AuthFailure', 'UnauthorizedOperation', 'InvalidClientTokenId', 'CredentialsProviderError', 'InvalidAccessKeyId',
  'SignatureDoesNotMatch', 'ExpiredToken', 'RequestExpired', 'OptInRequired', 'Blocked', 'AccessDenied', 'Forbidden',
]);
/** Names that mean "try again later": throttling and the service's own failures. */
const RETRYABLE = new Set([
  'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'SlowDown', 'InternalError',
  'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'InsufficientInstanceCapacity', 'TimeoutError', 'RequestTimeout',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

export const CREDENTIALS_HINT = 'give herd AWS credentials through the SDK default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, '
  + 'SSO, an instance or task role) whose IAM policy allows EC2 image import, RegisterImage, CopyImage, ModifyImageAttribute and the S3 bucket';

interface AwsLikeError { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown }

export function awsErrorName(e: unknown): string {
  const x = e as AwsLikeError | undefined;
  return x?.Code ?? x?.name ?? '';
}

export function awsStatus(e: unknown): number | undefined {
  return (e as AwsLikeError | undefined)?.$metadata?.httpStatusCode;
}

function networkCode(e: unknown): string | undefined {
  for (let x = e as AwsLikeError | undefined, depth = 0; x && depth < 4; x = x.cause as AwsLikeError | undefined, depth++) {
    if (x.code && NETWORK.has(x.code)) return x.code;
  }
  return undefined;
}

/**
 * Turns an SDK error into Herd's: credentials problems into `cloud.credentials`, throttling, 5xx and connection
 * resets into RetryableCloudError (the runner retries those), anything else into `cloud.aws_failed` with the
 * service's code in the message. Aborts pass through untouched.
 */
export function mapAwsError(target: string, what: string, e: unknown): Error {
  if (e instanceof AppError) return e;
  const name = awsErrorName(e);
  if (name === 'AbortError') return e as Error;
  const message = (e as AwsLikeError | undefined)?.message || name || String(e);
  const status = awsStatus(e);
  if (AUTH.has(name) || status === 401 || status === 403) {
    const hint = name === 'UnauthorizedOperation' || name === 'AccessDenied' || status === 403
      ? `the credentials are valid but not allowed to do this; ${CREDENTIALS_HINT}` : CREDENTIALS_HINT;
    return credentialsError(target, `${what}: ${name || 'refused'}: ${message}`, hint);
  }
  const net = networkCode(e);
  if (RETRYABLE.has(name) || (status !== undefined && status >= 500) || net) {
    return new RetryableCloudError(`target ${target}: ${what}: ${net ?? name}: ${message}`, { cause: e });
  }
  return new AppError('cloud.aws_failed', `target ${target}: ${what}: ${name}: ${message}`, {
    kind: 'dependency', cause: e, hint: 'the AWS error code above says what EC2 or S3 refused',
  });
}
