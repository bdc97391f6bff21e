// Signing in (password, or a code mailed to the address), recovering a password, and undoing an email change from the
// old address's mailbox.

import { ApiError, postJson } from './api.js';
import * as session from './session.js';
import { showAccount } from './account.js';
import { showCode, useCodeLength } from './register.js';
import { askForSecondFactor } from './mfa.js';
import {
  $, state, show, run, showMessage, setFieldError, clearForm, markMissing, codeBoxes, useCodeBoxes, codeDescription,
  expiryText,
} from './ui.js';

/** The sign-in by code under way: the address and the sign_in_id its code is bound to (this page's memory only). */
const emailSignIn = { email: '', id: '' };

// ---- screens --------------------------------------------------------------------------------------

export function showLogin(message) {
  clearForm('login');
  $('login-verify').hidden = true;
  $('login-code').hidden = !state.emailCodeSignIn;
  $('login-lead').textContent = state.emailCodeSignIn
    ? 'Welcome back. Sign in with your password, or have a code emailed to you.'
    : 'Welcome back. Sign in with your password.';
  $('login-email').value = state.email;
  if (message) {
    showMessage('login', 'info', message);
  }
  show('login', state.email ? $('login-password') : $('login-email'));
}

export function showForgot(email) {
  clearForm('forgot');
  $('forgot-email').value = email ?? ($('login-email').value.trim() || state.email);
  show('forgot', $('forgot-email'));
}

export function showReset(email, sent) {
  clearForm('reset');
  const resetCodeInput = codeBoxes('reset');
  resetCodeInput.clear();
  $('reset-email').value = email ?? '';
  $('reset-email-text').textContent = email ?? '';
  $('reset-lead').hidden = !sent;
  show('reset', email ? resetCodeInput.first : $('reset-email'));
}

function showEmailCode(email, expiresIn) {
  clearForm('email-code');
  codeBoxes('email-code').clear();
  $('email-code-address').textContent = email;
  $('email-code-expiry').textContent = expiryText(expiresIn);
  show('email-code', codeBoxes('email-code').first);
}

export function showRevert() {
  clearForm('revert');
  codeBoxes('revert').clear();
  $('revert-email').value = $('login-email').value.trim() || state.email;
  show('revert', $('revert-email').value ? codeBoxes('revert').first : $('revert-email'));
}

// ---- sign in with the password ---------------------------------------------------------------------

async function onLogin(event) {
  event.preventDefault();
  clearForm('login');
  $('login-verify').hidden = true;
  const email = $('login-email').value.trim();
  const password = $('login-password').value;
  const invalid = [
    !email && setFieldError('login-email', 'Enter your email address.'),
    !password && setFieldError('login-password', 'Enter your password.'),
  ].find(Boolean);
  if (invalid) {
    showMessage('login', 'error', 'Please fix the highlighted fields.');
    invalid.focus();
    return;
  }

  await run('login', { email: 'login-email', password: 'login-password' }, async () => {
    let answer;
    try {
      answer = await postJson('/auth/login', { email, password });
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        state.email = email;
        $('login-verify').hidden = false;
      }
      throw error;
    }
    state.email = email;
    $('login-form').reset();
    await signedIn(answer);
  });
}

/** A first step's answer: the tokens, or (two-step sign-in on) the second step, then the tokens. */
async function signedIn(answer) {
  if (answer.mfa_required) {
    askForSecondFactor(answer, {
      done: async (tokens) => {
        session.begin(tokens);
        await showAccount();
      },
      cancel: (message) => showLogin(message),
    });
    return;
  }
  session.begin(answer);
  await showAccount();
}

// ---- sign in with an emailed code -----------------------------------------------------------------
// The Api answers alike for every address (it mails only a verified account), so the screen says "if".

/** Asks the Api to mail a sign-in code; a deployment may have turned that off (Auth:EmailCodeSignIn), then it says so. */
export async function requestSignInCode(email) {
  try {
    return await postJson('/auth/sign-in/code', { email });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new ApiError(404, 'Signing in with an emailed code is turned off here. Please use your password.');
    }
    throw error;
  }
}

async function sendSignInCode(email) {
  const result = await requestSignInCode(email);
  emailSignIn.email = email;
  emailSignIn.id = result.sign_in_id;
  state.email = email;
  useCodeBoxes('email-code', result.code_length, () => $('email-code-form').requestSubmit());
  return result;
}

async function onEmailMeACode() {
  clearForm('login');
  $('login-verify').hidden = true;
  const email = $('login-email').value.trim();
  if (!email) {
    setFieldError('login-email', 'Enter your email address to get a code.').focus();
    return;
  }
  await run('login', { email: 'login-email' }, async () => {
    const result = await sendSignInCode(email);
    showEmailCode(email, result.otp_expires_in);
  });
}

async function onEmailCode(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('email-code');
  const codeInput = codeBoxes('email-code');
  if (!codeInput.isComplete()) {
    codeInput.setInvalid(true);
    showMessage('email-code', 'error', `Enter all ${codeDescription(codeInput)} of the code.`);
    codeInput.focus();
    return;
  }
  const failed = await run('email-code', { code: 'email-code-code' }, async () => {
    const answer = await postJson('/auth/sign-in/code/verify',
      { email: emailSignIn.email, code: codeInput.value(), sign_in_id: emailSignIn.id });
    state.email = emailSignIn.email;
    emailSignIn.id = '';
    await signedIn(answer);
  });
  if (failed) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

async function onSendAnotherSignInCode() {
  clearForm('email-code');
  await run('email-code', {}, async () => {
    const result = await sendSignInCode(emailSignIn.email);
    showEmailCode(emailSignIn.email, result.otp_expires_in);
    showMessage('email-code', 'info', 'We sent another code. Only the newest one works.');
  });
}

// ---- forgot / reset -------------------------------------------------------------------------------

async function onForgot(event) {
  event.preventDefault();
  clearForm('forgot');
  const email = $('forgot-email').value.trim();
  if (!email) {
    setFieldError('forgot-email', 'Enter your email address.').focus();
    return;
  }
  await run('forgot', { email: 'forgot-email' }, async () => {
    const result = await postJson('/auth/password/forgot', { email });
    useCodeLength(result.code_length);
    showReset(email, true);
  });
}

async function onReset(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('reset');
  const resetCodeInput = codeBoxes('reset');
  const email = $('reset-email').value.trim();
  const password = $('reset-password').value;
  const invalid = [
    !email && setFieldError('reset-email', 'Enter your email address.'),
    !resetCodeInput.isComplete() && setFieldError('reset-code', `Enter all ${codeDescription(resetCodeInput)} of the code.`),
    !password && setFieldError('reset-password', 'Choose a new password.'),
  ].find(Boolean);
  if (invalid) {
    showMessage('reset', 'error', 'Please fix the highlighted fields.');
    invalid.focus();
    return;
  }
  const failed = await run('reset', { email: 'reset-email', code: 'reset-code', new_password: 'reset-password' }, async () => {
    await postJson('/auth/password/reset', { email, code: resetCodeInput.value(), new_password: password });
    state.email = email;
    $('reset-form').reset();
    showLogin('Your password was changed and every session signed out. Sign in with the new one.');
  });
  if (failed && !$('reset-password-error').textContent) {
    resetCodeInput.clear();
    resetCodeInput.setInvalid(true);
  }
}

// ---- undo an email change -------------------------------------------------------------------------
// The old address got a mail with a code when the account's address was changed; with it, the old address is the
// account's again, every session ends and the password stops working (whoever made the change may know it).

async function onRevert(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('revert');
  const codeInput = codeBoxes('revert');
  const email = $('revert-email').value.trim();
  if (markMissing('revert', [
    [!email, 'revert-email', 'Enter the address the account had before the change.'],
    [!codeInput.isComplete(), 'revert-code', `Enter all ${codeDescription(codeInput)} of the code.`],
  ])) {
    return;
  }
  const failed = await run('revert', { email: 'revert-email', code: 'revert-code' }, async () => {
    const result = await postJson('/auth/email/change/revert', { email, code: codeInput.value() });
    session.end(); // every session of the account has ended, this tab's too if it had one
    state.email = result.email ?? email;
    $('reverted-email').textContent = state.email;
    show('reverted');
  });
  if (failed && !$('revert-email-error').textContent) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

// ---- start ----------------------------------------------------------------------------------------

export function startSignIn() {
  useCodeBoxes('email-code', state.otpLength, () => $('email-code-form').requestSubmit());
  useCodeBoxes('revert', state.otpLength, () => $('revert-form').requestSubmit(), 'code from the message');
  $('login-form').addEventListener('submit', onLogin);
  $('login-code').addEventListener('click', onEmailMeACode);
  $('email-code-form').addEventListener('submit', onEmailCode);
  $('email-code-again').addEventListener('click', onSendAnotherSignInCode);
  $('forgot-form').addEventListener('submit', onForgot);
  $('reset-form').addEventListener('submit', onReset);
  $('revert-form').addEventListener('submit', onRevert);
  $('reverted-forgot').addEventListener('click', () => showForgot(state.email));
  $('login-verify').addEventListener('click', () => showCode({ email: state.email, sent: false }));
}
