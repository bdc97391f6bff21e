// The browser's side of a passkey: the Api's WebAuthn options (JSON, base64url) to navigator.credentials and the
// browser's answer back to JSON (credential.toJSON()). Browsers with WebAuthn Level 3's JSON helpers (Chromium 129+,
// Firefox 119+, Safari 18.4+) use them; older ones get the same conversion done here.

import { ApiError } from './api.js';

export const passkeysSupported = () =>
  typeof window.PublicKeyCredential === 'function' && typeof navigator.credentials?.create === 'function';

/** A new passkey for the creation options the Api gave; the answer as JSON for /auth/passkeys/register. */
export async function createPasskey(options) {
  const publicKey = typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function'
    ? PublicKeyCredential.parseCreationOptionsFromJSON(options)
    : {
      ...options,
      challenge: fromBase64Url(options.challenge),
      user: { ...options.user, id: fromBase64Url(options.user.id) },
      excludeCredentials: (options.excludeCredentials ?? []).map(toDescriptor),
    };
  return toJson(await ask(() => navigator.credentials.create({ publicKey }), 'create'));
}

/** A passkey's answer to the request options the Api gave (sign-in, or the second step of one). */
export async function usePasskey(options) {
  const publicKey = typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function'
    ? PublicKeyCredential.parseRequestOptionsFromJSON(options)
    : {
      ...options,
      challenge: fromBase64Url(options.challenge),
      allowCredentials: (options.allowCredentials ?? []).map(toDescriptor),
    };
  return toJson(await ask(() => navigator.credentials.get({ publicKey }), 'get'));
}

// The browser's refusals in words; 0 as the status: nothing reached the Api.
async function ask(ceremony, kind) {
  try {
    const credential = await ceremony();
    if (!credential) {
      throw new DOMException('No credential', 'NotAllowedError');
    }
    return credential;
  } catch (error) {
    const messages = {
      NotAllowedError: kind === 'create'
        ? 'No passkey was created: the request was cancelled or timed out.'
        : 'No passkey was used: the request was cancelled or timed out, or this device has no passkey for this site.',
      InvalidStateError: 'This device already has a passkey for your account.',
      SecurityError: "Passkeys don't work on this address: open the page at its usual address.",
      NotSupportedError: "This browser or device can't use passkeys.",
      AbortError: 'The passkey request was cancelled.',
    };
    throw new ApiError(0, messages[error?.name] ?? 'The passkey request failed. Please try again.');
  }
}

function toJson(credential) {
  if (typeof credential.toJSON === 'function') {
    return credential.toJSON();
  }
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
    response: { clientDataJSON: toBase64Url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64Url(response.attestationObject);
    json.response.transports = response.getTransports?.() ?? [];
  } else {
    json.response.authenticatorData = toBase64Url(response.authenticatorData);
    json.response.signature = toBase64Url(response.signature);
    if (response.userHandle) {
      json.response.userHandle = toBase64Url(response.userHandle);
    }
  }
  return json;
}

const toDescriptor = (descriptor) => ({ ...descriptor, id: fromBase64Url(descriptor.id) });

export function fromBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
}

export function toBase64Url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
