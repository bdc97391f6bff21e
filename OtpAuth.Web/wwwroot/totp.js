// Two-step sign-in (TOTP) on the account page: set it up (QR code, the key as text, a code from the app turns it
// on), the recovery codes shown once (copy, download), and turning it off (a code from the app or a recovery code).
// Setting it up and turning it off want a recent sign-in: ui.run() asks "Confirm it's you" when the Api says so.

import * as session from './session.js';
import { showAccount } from './account.js';
import { totpDigits } from './mfa.js';
import { $, state, show, run, showMessage, clearForm, markMissing, codeBoxes, useCodeBoxes, whenIdle } from './ui.js';
import { ApiError } from './api.js';

/** The recovery codes of the setup just confirmed (this page's memory only, until "I saved them"). */
let recoveryCodes = [];
let removeWithRecovery = false;

// ---- on or off --------------------------------------------------------------------------------------

/** Draws the section of the account page: called by showAccount with what GET /auth/me says (totp_enabled). */
export function showTotpSection(on) {
  $('totp-status').textContent = on
    ? 'On: after your password, we ask for a code from your authenticator app.'
    : 'After your password, ask for a code from an authenticator app on your phone.';
  $('totp-setup').hidden = on;
  $('totp-remove').hidden = !on;
}

// ---- set up -----------------------------------------------------------------------------------------

async function onSetup() {
  showMessage('totp', '', '');
  await whenIdle();
  await run('totp', {}, async () => {
    let setup;
    try {
      setup = await session.call('POST', '/auth/mfa/totp/setup');
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        showTotpSection(true); // turned on elsewhere since the page was drawn
      }
      throw error;
    }
    showSetup(setup);
  });
}

function showSetup(setup) {
  clearForm('totp-setup');
  codeBoxes('totp-setup').clear();
  // The SVG as an image, never as markup: nothing in it can run or reach the page.
  let binary = '';
  for (const byte of new TextEncoder().encode(setup.qr_svg)) {
    binary += String.fromCharCode(byte);
  }
  $('totp-qr').src = `data:image/svg+xml;base64,${btoa(binary)}`;
  $('totp-secret').textContent = setup.secret.match(/.{1,4}/g).join(' ');
  show('totp-setup', codeBoxes('totp-setup').first);
}

async function onConfirm(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('totp-setup');
  const codeInput = codeBoxes('totp-setup');
  if (markMissing('totp-setup', [[!codeInput.isComplete(), 'totp-setup-code', `Enter all ${totpDigits} digits of the code.`]])) {
    return;
  }
  const failed = await run('totp-setup', { code: 'totp-setup-code' }, async () => {
    const result = await session.call('POST', '/auth/mfa/totp/confirm', { code: codeInput.value() });
    showRecoveryCodes(result.recovery_codes ?? []);
  });
  if (failed) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

// ---- the recovery codes, once -----------------------------------------------------------------------

function showRecoveryCodes(codes) {
  recoveryCodes = codes;
  $('totp-qr').removeAttribute('src');
  $('totp-secret').textContent = '';
  showMessage('recovery-codes', '', '');
  $('recovery-codes').replaceChildren(...codes.map((code) => Object.assign(document.createElement('li'), { textContent: code })));
  show('recovery-codes');
}

const recoveryText = () => [
  `OtpAuth recovery codes for ${state.accountEmail}`,
  `Saved ${new Date().toISOString().slice(0, 10)}. Each code signs in once, instead of a code from the app.`,
  '',
  ...recoveryCodes,
  '',
].join('\n');

async function onCopy() {
  try {
    await navigator.clipboard.writeText(recoveryText());
    showMessage('recovery-codes', 'info', 'The codes are copied. Paste them somewhere safe, such as a password manager.');
  } catch {
    showMessage('recovery-codes', 'error', "The codes couldn't be copied here: select them and copy them, or download them.");
  }
}

function onDownload() {
  const name = 'otpauth-recovery-codes.txt';
  const url = URL.createObjectURL(new Blob([recoveryText()], { type: 'text/plain' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  showMessage('recovery-codes', 'info', `The codes were saved as ${name}.`);
}

async function onSaved() {
  recoveryCodes = [];
  $('recovery-codes').replaceChildren();
  await showAccount('Two-step sign-in is on. Next time you sign in, we ask for a code from your app.').catch(() => {});
}

// ---- turn off ---------------------------------------------------------------------------------------

function showRemove() {
  clearForm('totp-remove');
  $('totp-remove-form').reset();
  codeBoxes('totp-remove').clear();
  useRemoveWith(false);
  show('totp-remove', codeBoxes('totp-remove').first);
}

function useRemoveWith(recovery) {
  removeWithRecovery = recovery;
  $('totp-remove-code-field').hidden = recovery;
  $('totp-remove-recovery-field').hidden = !recovery;
  $('totp-remove-use-recovery').hidden = recovery;
  $('totp-remove-use-code').hidden = !recovery;
}

async function onRemove(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('totp-remove');
  const codeInput = codeBoxes('totp-remove');
  const recoveryCode = $('totp-remove-recovery').value.trim();
  if (markMissing('totp-remove', [
    [!removeWithRecovery && !codeInput.isComplete(), 'totp-remove-code', `Enter all ${totpDigits} digits of the code.`],
    [removeWithRecovery && !recoveryCode, 'totp-remove-recovery', 'Enter one of your recovery codes.'],
  ])) {
    return;
  }
  const body = removeWithRecovery ? { recovery_code: recoveryCode } : { code: codeInput.value() };
  const failed = await run('totp-remove', { code: 'totp-remove-code', recovery_code: 'totp-remove-recovery' }, async () => {
    try {
      await session.call('DELETE', '/auth/mfa/totp', body);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) {
        throw error;
      }
      // It was off already (turned off elsewhere): the same outcome.
    }
    $('totp-remove-form').reset();
    await showAccount('Two-step sign-in is off. Your password alone signs you in, and the recovery codes no longer work.');
  });
  if (failed && !removeWithRecovery) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

// ---- start ------------------------------------------------------------------------------------------

export function startTotp() {
  useCodeBoxes('totp-setup', totpDigits, () => $('totp-setup-form').requestSubmit(), 'code from the app', true);
  useCodeBoxes('totp-remove', totpDigits, () => $('totp-remove-form').requestSubmit(), 'code from the app', true);
  $('totp-setup').addEventListener('click', onSetup);
  $('totp-setup-form').addEventListener('submit', onConfirm);
  $('recovery-codes-copy').addEventListener('click', onCopy);
  $('recovery-codes-download').addEventListener('click', onDownload);
  $('recovery-codes-done').addEventListener('click', onSaved);
  $('totp-remove').addEventListener('click', showRemove);
  $('totp-remove-use-recovery').addEventListener('click', () => {
    clearForm('totp-remove');
    useRemoveWith(true);
    $('totp-remove-recovery').focus();
  });
  $('totp-remove-use-code').addEventListener('click', () => {
    clearForm('totp-remove');
    useRemoveWith(false);
    codeBoxes('totp-remove').focus();
  });
  $('totp-remove-form').addEventListener('submit', onRemove);
}
