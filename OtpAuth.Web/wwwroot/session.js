// The signed-in session of this tab: the access token, the refresh token that renews it, and the renewal timer.
// Both tokens live in memory and sessionStorage (this tab only), never in a URL. The access token is renewed a
// minute before it expires; a refresh token works once, so renewals never run two at a time.

import { ApiError, isReauthenticationRequired, postJson, sendWithToken } from './api.js';

const storageKey = 'otpauth.session';
const renewAheadSeconds = 60;

let current = read();
let renewal = null;
let timer = null;
let onEnded = () => {};

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(storageKey) ?? 'null');
  } catch {
    return null;
  }
}

function store(session) {
  current = session;
  clearTimeout(timer);
  if (session) {
    sessionStorage.setItem(storageKey, JSON.stringify(session));
    const inSeconds = Math.max(5, (session.expiresAt - Date.now()) / 1000 - renewAheadSeconds);
    timer = setTimeout(() => renew().catch(() => {}), inSeconds * 1000);
  } else {
    sessionStorage.removeItem(storageKey);
  }
}

/** Called with a message when the session ends by itself (revoked elsewhere, expired). */
export function whenEnded(callback) {
  onEnded = callback;
}

export const isSignedIn = () => current !== null;

/** Keeps what login or refresh answered. */
export function begin(answer) {
  store({
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
  });
}

/** Trades the refresh token for a new pair; one renewal at a time, shared by every caller. */
export function renew() {
  if (!current) {
    return Promise.reject(new ApiError(401, 'Your session has ended. Please sign in again.'));
  }
  renewal ??= postJson('/auth/refresh', { refresh_token: current.refreshToken })
    .then((answer) => begin(answer))
    .catch((error) => {
      if (error instanceof ApiError && error.status === 401) {
        end();
        onEnded('Your session has ended. Please sign in again.');
      }
      throw error;
    })
    .finally(() => { renewal = null; });
  return renewal;
}

/**
 * An API call as the signed-in account; an expired access token is renewed once and the call tried again. A 401 that
 * asks for a recent sign-in is not an expired token (renewing would not help): it reaches the caller as it is.
 */
export async function call(method, path, body) {
  if (!current) {
    throw new ApiError(401, 'Your session has ended. Please sign in again.');
  }
  if (current.expiresAt - Date.now() < 5000) {
    await renew();
  }
  try {
    return await sendWithToken(method, path, current.accessToken, body);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || isReauthenticationRequired(error)) {
      throw error;
    }
    await renew();
    return sendWithToken(method, path, current.accessToken, body);
  }
}

/**
 * Swaps this tab's session for a new one (a sign-in to confirm it's the person): the new tokens are kept and the old
 * session is ended on the server, so a confirmation leaves one session, not two.
 */
export async function replace(answer) {
  const old = current;
  begin(answer);
  if (old && old.accessToken !== current.accessToken) {
    try {
      await sendWithToken('POST', '/auth/logout', old.accessToken);
    } catch {
      // Already ended or unreachable: it ends by itself when its tokens expire.
    }
  }
}

/** Signs out: the server revokes this session; the tab forgets it even if the server cannot be reached. */
export async function signOut() {
  const ending = current;
  end();
  if (ending) {
    try {
      await sendWithToken('POST', '/auth/logout', ending.accessToken);
    } catch {
      // Already ended or unreachable: the tokens are gone from this tab, and the access token expires by itself.
    }
  }
}

export function end() {
  store(null);
}

// A reload keeps the session and its renewal schedule.
if (current) {
  store(current);
}
