// Registering: create the account → enter the emailed code (resend with a countdown) → verified.

import { postJson } from './api.js';
import {
  $, state, show, run, showMessage, setFieldError, clearForm, codeBoxes, useCodeBoxes, codeDescription, expiryText,
  whenRateLimited,
} from './ui.js';

const registrationsKey = 'otpauth.registrations';
let resendTimer;

// ---- registrations ---------------------------------------------------------------------------------
// A code verifies only the registration it was mailed for, so the page keeps each registration's id (from the register
// answer) per address, in localStorage: "I already have a code" works after a reload or in a new tab of this browser.
// An id alone is worth nothing without the code from the mailbox.

function registrationKey(email) {
  return email.trim().normalize('NFC').toLowerCase();
}

function readRegistrations() {
  try {
    return JSON.parse(localStorage.getItem(registrationsKey) ?? '{}') ?? {};
  } catch {
    return {};
  }
}

function rememberRegistration(email, id) {
  const registrations = readRegistrations();
  registrations[registrationKey(email)] = id;
  localStorage.setItem(registrationsKey, JSON.stringify(registrations));
}

function registrationOf(email) {
  return readRegistrations()[registrationKey(email)] ?? null;
}

function forgetRegistration(email) {
  const registrations = readRegistrations();
  delete registrations[registrationKey(email)];
  localStorage.setItem(registrationsKey, JSON.stringify(registrations));
}

const noRegistration = 'This browser has no registration waiting for that address. Create the account again to get a new code.';

// ---- screens --------------------------------------------------------------------------------------

/** The register screen, with a message above the form when one is given (the account was deleted, say). */
export function showRegister(message) {
  clearForm('register');
  if (message) {
    showMessage('register', 'info', message);
  }
  show('register', $('register-email'));
}

export function showCode({ email, sent, expiresIn }) {
  clearForm('code');
  const codeInput = codeBoxes('code');
  codeInput.clear();
  $('code-email').value = email ?? '';
  $('code-sent-to').hidden = !sent;
  $('code-ask-email').hidden = sent;
  $('code-email-field').hidden = sent;
  $('code-email-text').textContent = email ?? '';
  $('code-expiry').textContent = expiresIn ? expiryText(expiresIn) : '';
  updateResendButton();
  show('code', sent || email ? codeInput.first : $('code-email'));
}

// ---- forms ----------------------------------------------------------------------------------------

async function onRegister(event) {
  event.preventDefault();
  clearForm('register');
  const email = $('register-email').value.trim();
  const password = $('register-password').value;
  const invalid = [
    !email && setFieldError('register-email', 'Enter your email address.'),
    !password && setFieldError('register-password', 'Choose a password.'),
    password && $('register-confirm').value !== password
      && setFieldError('register-confirm', "The passwords don't match."),
  ].find(Boolean);
  if (invalid) {
    showMessage('register', 'error', 'Please fix the highlighted fields.');
    invalid.focus();
    return;
  }

  await run('register', { email: 'register-email', password: 'register-password' }, async () => {
    const result = await postJson('/auth/register', { email, password });
    state.email = result.email ?? email;
    rememberRegistration(state.email, result.registration_id);
    useCodeLength(result.code_length);
    $('register-form').reset();
    showCode({ email: state.email, sent: true, expiresIn: result.otp_expires_in });
    startResendCountdown(state.resendCooldownSeconds);
  });
}

async function onVerify(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('code');
  const codeInput = codeBoxes('code');
  const email = $('code-email').value.trim();
  if (!email) {
    setFieldError('code-email', 'Enter the email address the code was sent to.').focus();
    showMessage('code', 'error', 'Please fix the highlighted fields.');
    return;
  }
  if (!codeInput.isComplete()) {
    codeInput.setInvalid(true);
    showMessage('code', 'error', `Enter all ${codeDescription(codeInput)} of the code.`);
    codeInput.focus();
    return;
  }

  const registrationId = registrationOf(email);
  if (!registrationId) {
    showMessage('code', 'error', noRegistration);
    return;
  }

  const failed = await run('code', { email: 'code-email', code: 'code-code' }, async () => {
    await postJson('/auth/verify-otp', { email, code: codeInput.value(), registration_id: registrationId });
    forgetRegistration(email);
    state.email = email;
    show('verified');
  });
  if (failed) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

async function onResend() {
  if (state.busy) {
    return;
  }
  clearForm('code');
  const email = $('code-email').value.trim();
  if (!email) {
    setFieldError('code-email', 'Enter your email address to get a new code.').focus();
    return;
  }
  const registrationId = registrationOf(email);
  if (!registrationId) {
    showMessage('code', 'error', noRegistration);
    return;
  }
  await run('code', { email: 'code-email' }, async () => {
    const result = await postJson('/auth/resend-otp', { email, registration_id: registrationId });
    useCodeLength(result.code_length);
    showMessage('code', 'info', result.message ?? 'If this registration is still waiting, a new code is on its way.');
    startResendCountdown(state.resendCooldownSeconds);
    codeBoxes('code').clear();
    codeBoxes('code').focus();
  });
}

// ---- resend countdown -----------------------------------------------------------------------------

// The API's cooldown is per address, so the countdown belongs to the address it was started for.
const resendCooldown = { email: '', endsAt: 0 };

function startResendCountdown(seconds) {
  clearInterval(resendTimer);
  if (!seconds || seconds <= 0) {
    return;
  }
  if (document.activeElement === $('resend')) {
    codeBoxes('code').focus(); // a disabled button drops keyboard focus; keep it somewhere useful
  }
  resendCooldown.email = codeEmail();
  resendCooldown.endsAt = Date.now() + seconds * 1000;
  updateResendButton();
  resendTimer = setInterval(updateResendButton, 250);
}

function updateResendButton() {
  const button = $('resend');
  const left = Math.ceil((resendCooldown.endsAt - Date.now()) / 1000);
  if (left <= 0) {
    clearInterval(resendTimer);
  }
  if (left <= 0 || codeEmail() !== resendCooldown.email) {
    button.disabled = false;
    button.textContent = 'Resend code';
    return;
  }
  button.disabled = true;
  button.textContent = `Resend code in ${left} s`;
}

const codeEmail = () => $('code-email').value.trim().toLowerCase();

// ---- code boxes -------------------------------------------------------------------------------------

/** The registration code's boxes and the reset code's follow the length the Api's last answer gave. */
export function useCodeLength(length) {
  useCodeBoxes('code', length, () => $('code-form').requestSubmit());
  useCodeBoxes('reset', length, () => $('reset-password').focus(), 'reset code');
}

// ---- start ----------------------------------------------------------------------------------------

export function startRegistration() {
  $('register-form').addEventListener('submit', onRegister);
  $('code-form').addEventListener('submit', onVerify);
  $('resend').addEventListener('click', onResend);
  $('code-email').addEventListener('input', updateResendButton);
  whenRateLimited((form, seconds) => {
    if (form === 'code') {
      startResendCountdown(seconds);
    }
  });
}
