// "Confirm it's you": changing the address and deleting the account want a session whose sign-in is recent. When the
// Api says the sign-in is too old (a 401 of the reauthentication type), the person signs in again here, with the
// password or a code mailed to the account's address; the new session replaces this tab's (the old one is ended on
// the server) and the action they asked for runs once more.

import { postJson } from './api.js';
import { requestSignInCode } from './signin.js';
import { askForSecondFactor } from './mfa.js';
import * as session from './session.js';
import {
  $, state, show, run, showMessage, clearForm, markMissing, codeBoxes, useCodeBoxes, codeDescription, expiryText,
  whenReauthenticationRequired,
} from './ui.js';

const reasons = {
  'change-email': 'change your email',
  'confirm-email': 'change your email',
  delete: 'delete your account',
  account: 'change how you sign in',
  'totp-remove': 'turn off two-step sign-in',
};

/** The action waiting for the confirmation: the screen it was asked from and how to run it again. */
let pending = null;
let confirmWith = 'password';
const codeSignIn = { id: '' };

function askToConfirm({ back, retry }) {
  pending = { back, retry };
  clearForm('reauth');
  $('reauth-form').reset();
  $('reauth-email').textContent = state.accountEmail;
  $('reauth-reason').textContent = reasons[back] ?? 'continue';
  useConfirmWith('password');
  show('reauth', $('reauth-password'));
}

function useConfirmWith(how) {
  confirmWith = how;
  $('reauth-password-field').hidden = how !== 'password';
  $('reauth-code-field').hidden = how !== 'code';
  $('reauth-by-code').hidden = how !== 'password' || !state.emailCodeSignIn;
  $('reauth-by-password').hidden = how !== 'code';
}

async function onEmailMeACode() {
  clearForm('reauth');
  const email = state.accountEmail;
  await run('reauth', {}, async () => {
    const result = await requestSignInCode(email);
    codeSignIn.id = result.sign_in_id;
    useCodeBoxes('reauth', result.code_length, () => $('reauth-form').requestSubmit());
    codeBoxes('reauth').clear();
    useConfirmWith('code');
    showMessage('reauth', 'info', `We sent a code to ${email}. ${expiryText(result.otp_expires_in)}`.trim());
    codeBoxes('reauth').focus();
  });
}

function onUsePassword() {
  clearForm('reauth');
  useConfirmWith('password');
  $('reauth-password').focus();
}

async function onConfirm(event) {
  event.preventDefault();
  if (state.busy || !pending) {
    return;
  }
  clearForm('reauth');
  const codeInput = codeBoxes('reauth');
  const password = $('reauth-password').value;
  const byCode = confirmWith === 'code';
  if (markMissing('reauth', [
    [!byCode && !password, 'reauth-password', 'Enter your password.'],
    [byCode && !codeInput.isComplete(), 'reauth-code', byCode ? `Enter all ${codeDescription(codeInput)} of the code.` : ''],
  ])) {
    return;
  }
  const email = state.accountEmail;
  let secondStep = null;
  const failed = await run('reauth', { password: 'reauth-password', code: 'reauth-code' }, async () => {
    const answer = byCode
      ? await postJson('/auth/sign-in/code/verify', { email, code: codeInput.value(), sign_in_id: codeSignIn.id })
      : await postJson('/auth/login', { email, password });
    if (answer.mfa_required) {
      secondStep = answer; // two-step sign-in is on: the sign-in completes on the next screen
      return;
    }
    await session.replace(answer);
  });
  if (failed) {
    if (byCode) {
      codeInput.clear();
      codeInput.setInvalid(true);
      codeInput.focus();
    }
    return;
  }
  $('reauth-form').reset();
  if (secondStep) {
    askForSecondFactor(secondStep, {
      done: async (tokens) => {
        await session.replace(tokens);
        await resume();
      },
      cancel: (message) => {
        show('reauth', $('reauth-password'));
        showMessage('reauth', message ? 'error' : '', message ?? '');
      },
      cancelLabel: 'Back',
    });
    return;
  }
  await resume();
}

/** The confirmation is done: back to where the action was asked for, and the action once more. */
async function resume() {
  if (!pending) {
    return;
  }
  const { back, retry } = pending;
  pending = null;
  show(back);
  await retry();
}

function onCancel() {
  const back = pending?.back ?? 'account';
  pending = null;
  $('reauth-form').reset();
  show(back);
}

export function startReauthentication() {
  whenReauthenticationRequired(askToConfirm);
  useCodeBoxes('reauth', state.otpLength, () => $('reauth-form').requestSubmit());
  $('reauth-form').addEventListener('submit', onConfirm);
  $('reauth-by-code').addEventListener('click', onEmailMeACode);
  $('reauth-by-password').addEventListener('click', onUsePassword);
  $('reauth-cancel').addEventListener('click', onCancel);
}
