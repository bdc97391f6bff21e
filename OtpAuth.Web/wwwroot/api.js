// Calls to the auth API. The Web forwards /auth/* to the API, so every call stays on this origin.

/** An API answer that was not a success, in words a person can read. */
export class ApiError extends Error {
  constructor(status, message, fieldErrors = {}, retryAfterSeconds = null, type = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.retryAfterSeconds = retryAfterSeconds;
    this.type = type;
  }
}

/**
 * The problem type of a 401 that does not mean "signed out": the session is fine, but the action (changing the
 * address, deleting the account) wants a sign-in within the last few minutes. The page asks for the password (or an
 * emailed code) again and retries.
 */
export const reauthenticationRequired = 'urn:otpauth:problem:reauthentication-required';

export const isReauthenticationRequired = (error) =>
  error instanceof ApiError && error.status === 401 && error.type === reauthenticationRequired;

// Used when a failure carries no `detail` (for instance a proxy error before the API answered).
const fallbackMessages = {
  0: "We can't reach the server. Check your connection and try again.",
  400: 'Please check what you entered.',
  401: 'Your session has ended. Please sign in again.',
  413: 'That is too much text to send.',
  429: 'Too many attempts. Please wait a moment and try again.',
  502: 'The service is not available right now. Please try again in a moment.',
  503: 'The service is not available right now. Please try again in a moment.',
  504: 'The service took too long to answer. Please try again.',
};

const genericMessage = 'Something went wrong on our side. Please try again.';

export function postJson(path, body) {
  return send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

export function getJson(path, token) {
  return send(path, {
    method: 'GET',
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
}

/** A call with a bearer token (and a JSON body when one is given). */
export function sendWithToken(method, path, token, body) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  return send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function send(path, init) {
  let response;
  try {
    response = await fetch(path, { ...init, cache: 'no-store', credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, fallbackMessages[0]);
  }

  const data = await readJson(response);
  if (response.ok) {
    return data ?? {};
  }

  const message = typeof data?.detail === 'string' && data.detail.trim() !== ''
    ? data.detail
    : fallbackMessages[response.status] ?? genericMessage;
  const fieldErrors = data?.errors && typeof data.errors === 'object' ? data.errors : {};
  const type = typeof data?.type === 'string' ? data.type : null;
  throw new ApiError(response.status, message, fieldErrors, parseRetryAfter(response.headers.get('Retry-After')), type);
}

async function readJson(response) {
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) {
    return null;
  }
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Retry-After is either a number of seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value) {
  if (!value) {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
