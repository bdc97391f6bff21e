// The OtpAuth page: register → enter the emailed code → verified → sign in → account.
// No inline script or handlers anywhere (the Content-Security-Policy forbids them): everything is wired here.

import { ApiError, postJson } from './api.js';
import { createCodeInput } from './code-input.js';
import * as session from './session.js';

const registrationsKey = 'otpauth.registrations';
const $ = (id) => document.getElementById(id);

const state = {
  otpLength: 6,
  codeLength: 0,
  resendCooldownSeconds: 60,
  email: '',
  busy: false,
};

let codeInput;
let resetCodeInput;
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

function show(name, focusTarget) {
  for (const screen of document.querySelectorAll('.screen')) {
    screen.hidden = screen.id !== `screen-${name}`;
  }
  const screen = $(`screen-${name}`);
  document.title = `${screen.dataset.title} · OtpAuth`;
  resetPasswordToggles();
  (focusTarget ?? screen.querySelector('h1')).focus();
}

function showRegister() {
  clearForm('register');
  show('register', $('register-email'));
}

function showCode({ email, sent, expiresIn }) {
  clearForm('code');
  codeInput.clear();
  $('code-email').value = email ?? '';
  $('code-sent-to').hidden = !sent;
  $('code-ask-email').hidden = sent;
  $('code-email-field').hidden = sent;
  $('code-email-text').textContent = email ?? '';
  $('code-expiry').textContent = expiresIn ? `It expires in ${describeSeconds(expiresIn)}.` : '';
  updateResendButton();
  show('code', sent || email ? codeInput.first : $('code-email'));
}

function showLogin(message) {
  clearForm('login');
  $('login-verify').hidden = true;
  $('login-email').value = state.email;
  if (message) {
    showMessage('login', 'info', message);
  }
  show('login', state.email ? $('login-password') : $('login-email'));
}

function showForgot() {
  clearForm('forgot');
  $('forgot-email').value = $('login-email').value.trim() || state.email;
  show('forgot', $('forgot-email'));
}

function showReset(email, sent) {
  clearForm('reset');
  resetCodeInput.clear();
  $('reset-email').value = email ?? '';
  $('reset-email-text').textContent = email ?? '';
  $('reset-lead').hidden = !sent;
  show('reset', email ? resetCodeInput.first : $('reset-email'));
}

async function showAccount() {
  const me = await session.call('GET', '/auth/me');
  $('account-email').textContent = me.email;
  setTime($('account-created'), me.created_at);
  setTime($('account-verified'), me.verified_at);
  showMessage('account', '', '');
  clearForm('change');
  show('account');
  await loadSessions();
}

async function loadSessions() {
  let sessions;
  try {
    sessions = await session.call('GET', '/auth/sessions');
  } catch (error) {
    showMessage('account', 'error', error instanceof ApiError ? error.message : 'Could not load your sessions.');
    return;
  }
  const items = sessions.map((s) => {
    const item = document.createElement('li');
    const what = document.createElement('span');
    what.textContent = `${describeAgent(s.user_agent)} · since ${formatTime(s.created_at)}`;
    item.append(what);
    if (s.current) {
      item.append(Object.assign(document.createElement('strong'), { textContent: 'This browser' }));
    } else {
      const end = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: 'Sign out' });
      end.setAttribute('aria-label', `Sign out ${describeAgent(s.user_agent)}, signed in since ${formatTime(s.created_at)}`);
      end.addEventListener('click', () => endSessions([s.id]));
      item.append(end);
    }
    return item;
  });
  $('sessions').replaceChildren(...items);
  $('sign-out-others').hidden = sessions.every((s) => s.current);
  $('sign-out-others').onclick = () => endSessions(sessions.filter((s) => !s.current).map((s) => s.id));
}

async function endSessions(ids) {
  try {
    for (const id of ids) {
      await session.call('DELETE', `/auth/sessions/${id}`);
    }
    showMessage('account', 'info', ids.length === 1 ? 'That session is signed out.' : 'Every other session is signed out.');
  } catch (error) {
    showMessage('account', 'error', error instanceof ApiError ? error.message : 'Something went wrong. Please try again.');
  }
  await loadSessions();
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
    codeInput.clear();
    codeInput.focus();
  });
}

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
    try {
      session.begin(await postJson('/auth/login', { email, password }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        state.email = email;
        $('login-verify').hidden = false;
      }
      throw error;
    }
    state.email = email;
    $('login-form').reset();
    await showAccount();
  });
}

async function onSignOut() {
  await session.signOut();
  showLogin("You've signed out.");
}

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

async function onChangePassword(event) {
  event.preventDefault();
  clearForm('change');
  const current = $('change-current').value;
  const password = $('change-password').value;
  const invalid = [
    !current && setFieldError('change-current', 'Enter your current password.'),
    !password && setFieldError('change-password', 'Choose a new password.'),
  ].find(Boolean);
  if (invalid) {
    invalid.focus();
    return;
  }
  await run('change', { current_password: 'change-current', new_password: 'change-password' }, async () => {
    await session.call('POST', '/auth/password/change', { current_password: current, new_password: password });
    $('change-form').reset();
    showMessage('change', 'info', 'Your password was changed. Every other session is signed out.');
    await loadSessions();
  });
}

/**
 * Runs one API call for a form: one call at a time, the button marked busy, and a failure shown next to the
 * form (its detail, and each field's messages under that field). Returns true when the call failed.
 */
async function run(form, fields, action) {
  if (state.busy) {
    return false;
  }
  state.busy = true;
  const submit = document.querySelector(`#${form}-form [type="submit"]`);
  submit?.setAttribute('aria-busy', 'true');
  try {
    await action();
    return false;
  } catch (error) {
    showApiError(form, fields, error);
    return true;
  } finally {
    state.busy = false;
    submit?.removeAttribute('aria-busy');
  }
}

function showApiError(form, fields, error) {
  if (!(error instanceof ApiError)) {
    showMessage(form, 'error', 'Something went wrong. Please try again.');
    throw error;
  }
  const placed = [];
  const unplaced = [];
  let firstInvalid;
  for (const [key, messages] of Object.entries(error.fieldErrors)) {
    const text = [].concat(messages).join(' ');
    const field = fields[key.toLowerCase()];
    if (field && $(`${field}-error`)) {
      firstInvalid ??= setFieldError(field, text);
      placed.push(text);
    } else {
      unplaced.push(text);
    }
  }
  if (error.status === 429 && error.retryAfterSeconds && form === 'code') {
    startResendCountdown(error.retryAfterSeconds);
  }
  // Say a field's message once, under the field, rather than twice.
  const summary = placed.includes(error.message) ? 'Please fix the highlighted fields.' : error.message;
  showMessage(form, 'error', summary, unplaced);
  firstInvalid?.focus();
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
    codeInput.focus(); // a disabled button drops keyboard focus; keep it somewhere useful
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

// ---- small helpers --------------------------------------------------------------------------------

function showMessage(form, kind, text, details = []) {
  const box = $(`${form}-message`);
  box.className = kind ? `message ${kind}` : 'message';
  if (!text) {
    box.replaceChildren();
    return;
  }
  const paragraph = document.createElement('p');
  paragraph.textContent = text;
  const children = [paragraph];
  if (details.length > 0) {
    const list = document.createElement('ul');
    list.append(...details.map((detail) => Object.assign(document.createElement('li'), { textContent: detail })));
    children.push(list);
  }
  box.replaceChildren(...children);
}

/** Shows a message under a field and marks it invalid; returns the input so callers can focus it. */
function setFieldError(fieldId, message) {
  const error = $(`${fieldId}-error`);
  error.textContent = message;
  error.hidden = false;
  const digits = { 'code-code': codeInput, 'reset-code': resetCodeInput }[fieldId];
  const input = $(fieldId) ?? digits.first;
  if (digits) {
    digits.setInvalid(true);
  } else {
    input.setAttribute('aria-invalid', 'true');
    const described = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    described.add(error.id);
    input.setAttribute('aria-describedby', [...described].join(' '));
  }
  return input;
}

function clearForm(form) {
  showMessage(form, '', '');
  for (const error of document.querySelectorAll(`#screen-${form} .field-error`)) {
    error.textContent = '';
    error.hidden = true;
  }
  for (const input of document.querySelectorAll(`#screen-${form} input`)) {
    input.removeAttribute('aria-invalid');
  }
}

function resetPasswordToggles() {
  for (const toggle of document.querySelectorAll('.toggle')) {
    setPasswordVisible(toggle, false);
  }
}

function setPasswordVisible(toggle, visible) {
  $(toggle.dataset.toggles).type = visible ? 'text' : 'password';
  toggle.setAttribute('aria-pressed', String(visible));
  toggle.setAttribute('aria-label', `${visible ? 'Hide' : 'Show'} ${toggle.dataset.name}`);
  toggle.textContent = visible ? 'Hide' : 'Show';
}

function setTime(element, iso) {
  if (!iso) {
    element.removeAttribute('datetime');
    element.textContent = 'Not yet';
    return;
  }
  element.dateTime = iso;
  element.textContent = formatTime(iso);
}

function formatTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A browser and system in words, from a User-Agent (enough to tell one's own devices apart). */
function describeAgent(agent) {
  if (!agent) {
    return 'Unknown device';
  }
  const browser = [['Edg/', 'Edge'], ['OPR/', 'Opera'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']]
    .find(([token]) => agent.includes(token))?.[1];
  const system = [['Windows', 'Windows'], ['Android', 'Android'], ['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Mac OS X', 'macOS'], ['Linux', 'Linux']]
    .find(([token]) => agent.includes(token))?.[1];
  return [browser, system].filter(Boolean).join(' on ') || agent.slice(0, 40);
}

function describeSeconds(seconds) {
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60;
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

async function loadConfig() {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = await response.json();
      state.otpLength = Number(config.otp_length) || state.otpLength;
      state.resendCooldownSeconds = Number(config.resend_cooldown_seconds) || 0;
    }
  } catch {
    // Keep the defaults: the API's answer will still say if the code has the wrong length.
  }
}

// ---- code boxes -------------------------------------------------------------------------------------

// The Api mails the usual digits, or a longer code of letters and digits once an address's codes were being
// guessed at; its answer says which (code_length), and the boxes follow.
function useCodeLength(length) {
  const codeLength = Number(length) || state.otpLength;
  if (codeLength === state.codeLength) {
    return;
  }
  state.codeLength = codeLength;
  const letters = codeLength !== state.otpLength;
  const kind = letters ? `${codeLength}-character` : `${codeLength}-digit`;
  $('code-legend').textContent = `${kind} code`;
  codeInput = createCodeInput($('code-digits'), codeLength, () => $('code-form').requestSubmit(), 'code-code-error', letters);
  $('reset-legend').textContent = `${kind} reset code`;
  resetCodeInput = createCodeInput($('reset-digits'), codeLength, () => $('reset-password').focus(), 'reset-code-error', letters);
}

function codeDescription(input) {
  return input.letters ? `${state.codeLength} characters` : `${state.codeLength} digits`;
}

// ---- start ----------------------------------------------------------------------------------------

async function start() {
  await loadConfig();
  useCodeLength(state.otpLength);
  session.whenEnded((message) => showLogin(message));

  $('register-form').addEventListener('submit', onRegister);
  $('code-form').addEventListener('submit', onVerify);
  $('login-form').addEventListener('submit', onLogin);
  $('resend').addEventListener('click', onResend);
  $('code-email').addEventListener('input', updateResendButton);
  $('sign-out').addEventListener('click', onSignOut);
  $('forgot-form').addEventListener('submit', onForgot);
  $('reset-form').addEventListener('submit', onReset);
  $('change-form').addEventListener('submit', onChangePassword);
  $('login-verify').addEventListener('click', () => showCode({ email: state.email, sent: false }));
  for (const toggle of document.querySelectorAll('.toggle')) {
    toggle.addEventListener('click', () => setPasswordVisible(toggle, toggle.getAttribute('aria-pressed') !== 'true'));
  }
  for (const link of document.querySelectorAll('[data-go]')) {
    link.addEventListener('click', () => {
      const target = link.dataset.go;
      if (target === 'register') {
        showRegister();
      } else if (target === 'login') {
        showLogin();
      } else if (target === 'code') {
        showCode({ email: $('register-email').value.trim() || state.email, sent: false });
      } else if (target === 'forgot') {
        showForgot();
      } else if (target === 'reset') {
        showReset($('forgot-email').value.trim(), false);
      }
    });
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
