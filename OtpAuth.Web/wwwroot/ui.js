// What every screen shares: the page's state, switching screens, messages and field errors, the code boxes of each
// screen, running one API call per form at a time, and asking the person to confirm it's them when the Api wants a
// recent sign-in for an action (then the action is tried once more).

import { ApiError, isReauthenticationRequired } from './api.js';
import { createCodeInput } from './code-input.js';

export const $ = (id) => document.getElementById(id);

export const state = {
  otpLength: 6,
  resendCooldownSeconds: 60,
  /** Whether the Api signs in with an emailed code (Auth:EmailCodeSignIn); off, the page never offers it. */
  emailCodeSignIn: true,
  /** The address the person last used (filled into the next form that asks for one). */
  email: '',
  /** The signed-in account's address, from /auth/me. */
  accountEmail: '',
  busy: false,
};

// ---- screens --------------------------------------------------------------------------------------

export function show(name, focusTarget) {
  for (const screen of document.querySelectorAll('.screen')) {
    screen.hidden = screen.id !== `screen-${name}`;
  }
  const screen = $(`screen-${name}`);
  document.title = `${screen.dataset.title} · OtpAuth`;
  resetPasswordToggles();
  (focusTarget ?? screen.querySelector('h1')).focus();
}

/** The name of the screen on view (its id without "screen-"). */
export function currentScreen() {
  return document.querySelector('.screen:not([hidden])')?.id.replace(/^screen-/, '') ?? 'register';
}

// ---- code boxes -----------------------------------------------------------------------------------

// One set of boxes per screen that takes a code, in #<name>-digits with its legend #<name>-legend and its error
// #<name>-code-error. The Api's answer says how long the code it mailed is (code_length): the usual digits, or a longer
// code of letters and digits once an address's codes were being guessed at.
const codeInputs = {};

export function codeBoxes(name) {
  return codeInputs[name];
}

/**
 * (Re)draws a screen's boxes for a code of `length` (the configured length when the answer said none). A code of
 * another length than the mailed ones is letters and digits, unless `digitsOnly` (an authenticator app's code).
 */
export function useCodeBoxes(name, length, onComplete, legend = 'code', digitsOnly = false) {
  const codeLength = Number(length) || state.otpLength;
  const existing = codeInputs[name];
  if (existing && existing.length === codeLength) {
    return existing;
  }
  const letters = !digitsOnly && codeLength !== state.otpLength;
  $(`${name}-legend`).textContent = `${codeLength}-${letters ? 'character' : 'digit'} ${legend}`;
  const input = createCodeInput($(`${name}-digits`), codeLength, onComplete, `${name}-code-error`, letters);
  input.length = codeLength;
  codeInputs[name] = input;
  return input;
}

export function codeDescription(input) {
  return input.letters ? `${input.length} characters` : `${input.length} digits`;
}

// ---- running a form's API call --------------------------------------------------------------------

let askToReauthenticate = null;

/** Who asks the person to confirm it's them: called with { back, retry } when the Api wants a recent sign-in. */
export function whenReauthenticationRequired(callback) {
  askToReauthenticate = callback;
}

/**
 * Runs one API call for a form: one call at a time, the button marked busy, and a failure shown next to the
 * form (its detail, and each field's messages under that field). Returns true when the call failed.
 * When the Api answers that the action needs a recent sign-in, the person is asked to confirm it's them and the
 * action then runs once more (from the same screen, with the same values); that is not a failure.
 */
export async function run(form, fields, action, { retried = false } = {}) {
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
    if (!retried && askToReauthenticate && isReauthenticationRequired(error)) {
      askToReauthenticate({ back: currentScreen(), retry: () => run(form, fields, action, { retried: true }) });
      return false;
    }
    showApiError(form, fields, error);
    return true;
  } finally {
    state.busy = false;
    submit?.removeAttribute('aria-busy');
  }
}

/** Resolves once no form's call is running (a click while the page is still loading waits rather than being lost). */
export async function whenIdle(timeoutMs = 5000) {
  for (let waited = 0; state.busy && waited < timeoutMs; waited += 50) {
    await new Promise((resolve) => { setTimeout(resolve, 50); });
  }
}

let onTooManyRequests = () => {};

/** Told (form, seconds) when a form's call was refused for a while (429 with Retry-After). */
export function whenRateLimited(callback) {
  onTooManyRequests = callback;
}

export function showApiError(form, fields, error) {
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
  if (error.status === 429 && error.retryAfterSeconds) {
    onTooManyRequests(form, error.retryAfterSeconds);
  }
  // Say a field's message once, under the field, rather than twice.
  const summary = placed.includes(error.message) ? 'Please fix the highlighted fields.' : error.message;
  showMessage(form, 'error', summary, unplaced);
  firstInvalid?.focus();
}

// ---- messages and fields --------------------------------------------------------------------------

export function showMessage(form, kind, text, details = []) {
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

/**
 * Shows a message under a field and marks it invalid; returns the input so callers can focus it. A screen's code boxes
 * are the field <name>-code.
 */
export function setFieldError(fieldId, message) {
  const error = $(`${fieldId}-error`);
  error.textContent = message;
  error.hidden = false;
  const digits = fieldId.endsWith('-code') ? codeInputs[fieldId.slice(0, -'-code'.length)] : undefined;
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

export function clearForm(form) {
  showMessage(form, '', '');
  for (const error of document.querySelectorAll(`#screen-${form} .field-error`)) {
    error.textContent = '';
    error.hidden = true;
  }
  for (const input of document.querySelectorAll(`#screen-${form} input`)) {
    input.removeAttribute('aria-invalid');
  }
}

/** Marks every missing field (checks: [missing, fieldId, message]) and focuses the first; false when none is. */
export function markMissing(form, checks) {
  const inputs = checks.filter(([missing]) => missing).map(([, field, message]) => setFieldError(field, message));
  if (inputs.length === 0) {
    return false;
  }
  showMessage(form, 'error', 'Please fix the highlighted fields.');
  inputs[0].focus();
  return true;
}

// ---- password toggles -----------------------------------------------------------------------------

export function resetPasswordToggles() {
  for (const toggle of document.querySelectorAll('.toggle')) {
    setPasswordVisible(toggle, false);
  }
}

export function setPasswordVisible(toggle, visible) {
  $(toggle.dataset.toggles).type = visible ? 'text' : 'password';
  toggle.setAttribute('aria-pressed', String(visible));
  toggle.setAttribute('aria-label', `${visible ? 'Hide' : 'Show'} ${toggle.dataset.name}`);
  toggle.textContent = visible ? 'Hide' : 'Show';
}

// ---- words ----------------------------------------------------------------------------------------

export function setTime(element, iso) {
  if (!iso) {
    element.removeAttribute('datetime');
    element.textContent = 'Not yet';
    return;
  }
  element.dateTime = iso;
  element.textContent = formatTime(iso);
}

export function formatTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function describeSeconds(seconds) {
  if (seconds >= 86_400 && seconds % 86_400 === 0) {
    const days = seconds / 86_400;
    return days === 1 ? '1 day' : `${days} days`;
  }
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60;
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** "It expires in 10 minutes." for an answer's otp_expires_in, or nothing when it gave none. */
export function expiryText(seconds) {
  return Number(seconds) > 0 ? `It expires in ${describeSeconds(Number(seconds))}.` : '';
}

export const errorText = (error, fallback = 'Something went wrong. Please try again.') =>
  (error instanceof ApiError ? error.message : fallback);
