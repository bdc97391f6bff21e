// The account page: the account, where it is signed in, a new password, a new address (proven by a code mailed to
// it), a copy of the data, and deleting the account (after a confirmation step, with the password or an emailed code).

import * as session from './session.js';
import { showRegister } from './register.js';
import { showLogin } from './signin.js';
import { loadPasskeys } from './passkeys.js';
import { showTotpSection } from './totp.js';
import {
  $, state, show, run, showMessage, clearForm, markMissing, codeBoxes, useCodeBoxes, codeDescription, expiryText,
  setTime, formatTime, errorText,
} from './ui.js';

/** The address change under way: its change_id and the new address (this page's memory only). */
const emailChange = { id: '', email: '' };

/** How the deletion is confirmed: 'password', or 'code' once a code was mailed for it. */
let deleteWith = 'password';

// ---- the account page -----------------------------------------------------------------------------

export async function showAccount(message) {
  const me = await session.call('GET', '/auth/me');
  state.accountEmail = me.email;
  for (const username of document.querySelectorAll('.account-username')) {
    username.defaultValue = me.email; // a form.reset() keeps it
    username.value = me.email;
  }
  $('account-email').textContent = me.email;
  setTime($('account-created'), me.created_at);
  setTime($('account-verified'), me.verified_at);
  showMessage('account', message ? 'info' : '', message ?? '');
  clearForm('change');
  clearForm('passkey');
  showMessage('totp', '', '');
  showTotpSection(me.totp_enabled === true);
  show('account');
  await loadSessions();
  loadPasskeys(); // shows its own failure; the page is usable meanwhile
}

async function loadSessions() {
  let sessions;
  try {
    sessions = await session.call('GET', '/auth/sessions');
  } catch (error) {
    showMessage('account', 'error', errorText(error, 'Could not load your sessions.'));
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
    showMessage('account', 'error', errorText(error));
  }
  await loadSessions();
}

async function onSignOut() {
  await session.signOut();
  showLogin("You've signed out.");
}

async function onChangePassword(event) {
  event.preventDefault();
  clearForm('change');
  const current = $('change-current').value;
  const password = $('change-password').value;
  if (markMissing('change', [
    [!current, 'change-current', 'Enter your current password.'],
    [!password, 'change-password', 'Choose a new password.'],
  ])) {
    return;
  }
  await run('change', { current_password: 'change-current', new_password: 'change-password' }, async () => {
    await session.call('POST', '/auth/password/change', { current_password: current, new_password: password });
    $('change-form').reset();
    showMessage('change', 'info', 'Your password was changed. Every other session is signed out.');
    await loadSessions();
  });
}

// ---- change the address ---------------------------------------------------------------------------

function showChangeEmail(newEmail = '') {
  clearForm('change-email');
  $('change-email-form').reset();
  $('change-email-current').textContent = state.accountEmail;
  $('change-email-address').value = newEmail;
  show('change-email', $('change-email-address'));
}

async function onChangeEmail(event) {
  event.preventDefault();
  clearForm('change-email');
  const newEmail = $('change-email-address').value.trim();
  const password = $('change-email-password').value;
  if (markMissing('change-email', [
    [!newEmail, 'change-email-address', 'Enter the new address.'],
    [!password, 'change-email-password', 'Enter your password.'],
  ])) {
    return;
  }
  await run('change-email', { new_email: 'change-email-address', password: 'change-email-password' }, async () => {
    const result = await session.call('POST', '/auth/email/change', { new_email: newEmail, password });
    emailChange.id = result.change_id;
    emailChange.email = result.email ?? newEmail;
    $('change-email-form').reset();
    useCodeBoxes('confirm-email', result.code_length, () => $('confirm-email-form').requestSubmit());
    clearForm('confirm-email');
    codeBoxes('confirm-email').clear();
    $('confirm-email-address').textContent = emailChange.email;
    $('confirm-email-expiry').textContent = expiryText(result.otp_expires_in);
    show('confirm-email', codeBoxes('confirm-email').first);
  });
}

async function onConfirmEmail(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('confirm-email');
  const codeInput = codeBoxes('confirm-email');
  if (!codeInput.isComplete()) {
    codeInput.setInvalid(true);
    showMessage('confirm-email', 'error', `Enter all ${codeDescription(codeInput)} of the code.`);
    codeInput.focus();
    return;
  }
  const code = codeInput.value();
  const failed = await run('confirm-email', { code: 'confirm-email-code' }, async () => {
    const oldEmail = state.accountEmail;
    const result = await session.call('POST', '/auth/email/change/verify', { change_id: emailChange.id, code });
    const newEmail = result.email ?? emailChange.email;
    emailChange.id = '';
    state.email = newEmail;
    await showAccount(`Your email is now ${newEmail}. We told ${oldEmail} about the change, `
      + 'and every other session is signed out.');
  });
  if (failed) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

// ---- a copy of the data ---------------------------------------------------------------------------

async function onExport() {
  showMessage('account', '', '');
  await run('account', {}, async () => {
    const data = await session.call('GET', '/auth/account/export');
    const name = `otpauth-data-${new Date().toISOString().slice(0, 10)}.json`;
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    showMessage('account', 'info', `Your data was saved as ${name}.`);
  });
}

// ---- delete the account ---------------------------------------------------------------------------

function showDelete() {
  clearForm('delete');
  $('delete-form').reset();
  $('delete-email').textContent = state.accountEmail;
  useDeleteWith('password');
  show('delete');
}

function useDeleteWith(how) {
  deleteWith = how;
  $('delete-password-field').hidden = how !== 'password';
  $('delete-code-field').hidden = how !== 'code';
  $('delete-by-code').hidden = how !== 'password';
  $('delete-by-password').hidden = how !== 'code';
}

async function onDeleteByCode() {
  clearForm('delete');
  await run('delete', {}, async () => {
    const result = await session.call('POST', '/auth/account/delete-code');
    useCodeBoxes('delete', result.code_length, () => $('delete-submit').focus());
    codeBoxes('delete').clear();
    useDeleteWith('code');
    showMessage('delete', 'info', `We sent a code to ${state.accountEmail}. ${expiryText(result.otp_expires_in)}`.trim());
    codeBoxes('delete').focus();
  });
}

function onDeleteByPassword() {
  clearForm('delete');
  useDeleteWith('password');
  $('delete-password').focus();
}

async function onDelete(event) {
  event.preventDefault();
  if (state.busy) {
    return;
  }
  clearForm('delete');
  const codeInput = codeBoxes('delete');
  const password = $('delete-password').value;
  const byCode = deleteWith === 'code';
  if (markMissing('delete', [
    [!byCode && !password, 'delete-password', 'Enter your password.'],
    [byCode && !codeInput.isComplete(), 'delete-code', byCode ? `Enter all ${codeDescription(codeInput)} of the code.` : ''],
  ])) {
    return;
  }
  const email = state.accountEmail;
  const body = byCode ? { code: codeInput.value() } : { password };
  const failed = await run('delete', { password: 'delete-password', code: 'delete-code' }, async () => {
    await session.call('DELETE', '/auth/account', body);
    session.end(); // every session of the account ended with it
    state.email = '';
    state.accountEmail = '';
    $('delete-form').reset();
    showRegister(`Your account ${email} and everything stored about it were deleted. We sent a confirmation to that address.`);
  });
  if (failed && byCode) {
    codeInput.clear();
    codeInput.setInvalid(true);
    codeInput.focus();
  }
}

// ---- words ----------------------------------------------------------------------------------------

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

// ---- start ----------------------------------------------------------------------------------------

export function startAccount() {
  $('sign-out').addEventListener('click', onSignOut);
  $('change-form').addEventListener('submit', onChangePassword);
  $('account-change-email').addEventListener('click', () => showChangeEmail());
  $('change-email-form').addEventListener('submit', onChangeEmail);
  $('confirm-email-form').addEventListener('submit', onConfirmEmail);
  $('confirm-email-restart').addEventListener('click', () => showChangeEmail(emailChange.email));
  $('account-export').addEventListener('click', onExport);
  $('account-delete').addEventListener('click', showDelete);
  $('delete-by-code').addEventListener('click', onDeleteByCode);
  $('delete-by-password').addEventListener('click', onDeleteByPassword);
  $('delete-form').addEventListener('submit', onDelete);
  useCodeBoxes('confirm-email', state.otpLength, () => $('confirm-email-form').requestSubmit());
  useCodeBoxes('delete', state.otpLength, () => $('delete-submit').focus());
}
