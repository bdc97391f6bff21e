// The OtpAuth page: register → enter the emailed code → verified → sign in (password or emailed code) → account
// (sessions, password, address, data, deletion). No inline script or handlers anywhere (the Content-Security-Policy
// forbids them): everything is wired here and in each screen's module.
//   ui.js        state, screens, messages, code boxes, one call per form, the hook for "confirm it's you"
//   register.js  create the account, its code, resend
//   signin.js    sign in, sign in by code, forgot/reset password, undo an email change
//   account.js   the account page: sessions, password, change email, download data, delete
//   reauth.js    "Confirm it's you" before a sensitive action, then the action again
//   mfa.js       the second step of a sign-in (code from the app, recovery code, passkey)
//   totp.js      two-step sign-in on the account page: set up, recovery codes, turn off
//   passkeys.js  passkeys on the account page, and signing in with one alone
//   webauthn.js  the browser's passkey ceremonies (JSON options in, JSON answer out)

import * as session from './session.js';
import { showAccount, startAccount } from './account.js';
import { showCode, showRegister, startRegistration, useCodeLength } from './register.js';
import { showForgot, showLogin, showReset, showRevert, startSignIn } from './signin.js';
import { startReauthentication } from './reauth.js';
import { startSecondFactor } from './mfa.js';
import { startTotp } from './totp.js';
import { startPasskeys } from './passkeys.js';
import { $, setPasswordVisible, state } from './ui.js';

/** The Api's own settings (GET /auth/settings, through the Web's proxy): the code boxes, the countdown, the ways to sign in. */
async function loadSettings() {
  try {
    const response = await fetch('/auth/settings', { cache: 'no-store' });
    if (response.ok) {
      const settings = await response.json();
      state.otpLength = Number(settings.otp_length) || state.otpLength;
      state.resendCooldownSeconds = Number(settings.resend_cooldown_seconds) || 0;
      state.emailCodeSignIn = settings.email_code_sign_in !== false;
    }
  } catch {
    // Keep the defaults: the Api's answers still say if a code has the wrong length or a way is turned off.
  }
}

const destinations = {
  register: () => showRegister(),
  login: () => showLogin(),
  code: () => showCode({ email: $('register-email').value.trim() || state.email, sent: false }),
  forgot: () => showForgot(),
  reset: () => showReset($('forgot-email').value.trim(), false),
  revert: () => showRevert(),
  account: () => showAccount().catch(() => {}),
};

async function start() {
  await loadSettings();
  useCodeLength(state.otpLength);
  session.whenEnded((message) => showLogin(message));

  startRegistration();
  startSignIn();
  startAccount();
  startReauthentication();
  startSecondFactor();
  startTotp();
  startPasskeys();

  for (const toggle of document.querySelectorAll('.toggle')) {
    toggle.addEventListener('click', () => setPasswordVisible(toggle, toggle.getAttribute('aria-pressed') !== 'true'));
  }
  for (const link of document.querySelectorAll('[data-go]')) {
    link.addEventListener('click', () => destinations[link.dataset.go]?.());
  }

  if (session.isSignedIn()) {
    try {
      await showAccount();
      return;
    } catch {
      session.end();
    }
  }
}

start().finally(() => { document.body.dataset.ready = 'true'; });
