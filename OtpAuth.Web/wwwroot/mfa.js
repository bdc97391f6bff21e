// The second step of a sign-in, for an account with two-step sign-in on: after the right password (or emailed code)
// the Api answers { mfa_required, mfa_token, methods } and no tokens yet; a code from the authenticator app, a
// recovery code or a passkey completes it at /auth/mfa/verify. Used by the sign-in page and by "Confirm it's you".

import { ApiError, postJson } from './api.js';
import { usePasskey } from './webauthn.js';
import { $, state, show, run, showMessage, clearForm, markMissing, codeBoxes, useCodeBoxes } from './ui.js';

/** The digits of an authenticator app's code (RFC 6238), whatever the length of the Api's mailed codes. */
export const totpDigits = 6;

/** The sign-in waiting for its second step: its mfa_token, and what to do with the tokens or on giving up. */
let pending = null;
let useRecovery = false;

/**
 * Shows the second step for a first step's answer. `done(tokens)` runs once it is complete (after this screen's call,
 * so it may run calls of its own); `cancel(message)` when the person goes back or the sign-in expired.
 */
export function askForSecondFactor(answer, { done, cancel, cancelLabel = 'Back to sign in' }) {
  const methods = Array.isArray(answer.methods) ? answer.methods : ['totp', 'recovery_code'];
  pending = { token: answer.mfa_token, done, cancel, recovery: methods.includes('recovery_code') };
  clearForm('mfa');
  $('mfa-form').reset();
  codeBoxes('mfa').clear();
  $('mfa-use-passkey').hidden = !methods.includes('passkey') || typeof window.PublicKeyCredential !== 'function';
  $('mfa-cancel').textContent = cancelLabel;
  useCode();
  show('mfa', codeBoxes('mfa').first);
}

function useCode() {
  useRecovery = false;
  $('mfa-code-field').hidden = false;
  $('mfa-lead-code').hidden = false;
  $('mfa-recovery-field').hidden = true;
  $('mfa-lead-recovery').hidden = true;
  $('mfa-use-code').hidden = true;
  $('mfa-use-recovery').hidden = !pending?.recovery;
}

function onUseRecovery() {
  clearForm('mfa');
  useRecovery = true;
  $('mfa-code-field').hidden = true;
  $('mfa-lead-code').hidden = true;
  $('mfa-recovery-field').hidden = false;
  $('mfa-lead-recovery').hidden = false;
  $('mfa-use-code').hidden = false;
  $('mfa-use-recovery').hidden = true;
  $('mfa-recovery').focus();
}

function onUseCode() {
  clearForm('mfa');
  useCode();
  codeBoxes('mfa').focus();
}

async function onVerify(event) {
  event.preventDefault();
  if (state.busy || !pending) {
    return;
  }
  clearForm('mfa');
  const codeInput = codeBoxes('mfa');
  const recoveryCode = $('mfa-recovery').value.trim();
  if (markMissing('mfa', [
    [!useRecovery && !codeInput.isComplete(), 'mfa-code', `Enter all ${totpDigits} digits of the code.`],
    [useRecovery && !recoveryCode, 'mfa-recovery', 'Enter one of your recovery codes.'],
  ])) {
    return;
  }
  await complete(useRecovery ? { recovery_code: recoveryCode } : { code: codeInput.value() });
}

async function onUsePasskey() {
  if (state.busy || !pending) {
    return;
  }
  clearForm('mfa');
  const token = pending.token;
  let credential;
  const failed = await run('mfa', {}, () => expiring(async () => {
    credential = await usePasskey(await postJson('/auth/mfa/passkey/options', { mfa_token: token }));
  }));
  if (!failed) {
    await complete({ credential });
  } else {
    endIfExpired();
  }
}

/** Sends the second factor; the tokens go to whoever asked for the step. */
async function complete(factor) {
  const { token, done } = pending;
  let tokens;
  const failed = await run('mfa', { code: 'mfa-code', recovery_code: 'mfa-recovery' }, () => expiring(async () => {
    tokens = await postJson('/auth/mfa/verify', { mfa_token: token, ...factor });
  }));
  if (failed) {
    if (endIfExpired()) {
      return;
    }
    if (useRecovery) {
      $('mfa-recovery').setAttribute('aria-invalid', 'true');
      $('mfa-recovery').select();
    } else if (!factor.credential) {
      codeBoxes('mfa').clear();
      codeBoxes('mfa').setInvalid(true);
      codeBoxes('mfa').focus();
    }
    return;
  }
  pending = null;
  $('mfa-form').reset();
  try {
    await done(tokens);
  } catch (error) {
    showMessage('mfa', 'error', error instanceof ApiError ? error.message : 'Something went wrong. Please try again.');
  }
}

// The Api's words when the mfa_token was used or has expired (a 401): then the first step starts over.
let expiredMessage = null;

async function expiring(call) {
  expiredMessage = null;
  try {
    await call();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      expiredMessage = error.message;
    }
    throw error;
  }
}

function endIfExpired() {
  if (!pending || expiredMessage === null) {
    return false;
  }
  const { cancel } = pending;
  pending = null;
  cancel(expiredMessage);
  return true;
}

function onCancel() {
  const cancel = pending?.cancel;
  pending = null;
  $('mfa-form').reset();
  cancel?.();
}

export function startSecondFactor() {
  useCodeBoxes('mfa', totpDigits, () => $('mfa-form').requestSubmit(), 'code from the app', true);
  $('mfa-form').addEventListener('submit', onVerify);
  $('mfa-use-recovery').addEventListener('click', onUseRecovery);
  $('mfa-use-code').addEventListener('click', onUseCode);
  $('mfa-use-passkey').addEventListener('click', onUsePasskey);
  $('mfa-cancel').addEventListener('click', onCancel);
}
