// Passkeys: on the account page, add one (named), list them and remove one; on the sign-in page, sign in with one
// alone (no address typed: the Api asks for any passkey of this site, and the passkey says whose it is). Adding and
// removing want a recent sign-in: ui.run() asks "Confirm it's you" when the Api says so, then does it.

import { postJson } from './api.js';
import * as session from './session.js';
import { showAccount } from './account.js';
import { createPasskey, passkeysSupported, usePasskey } from './webauthn.js';
import { $, state, run, showMessage, clearForm, formatTime, errorText, whenIdle } from './ui.js';

// ---- the account page -------------------------------------------------------------------------------

/** Lists the account's passkeys; called by showAccount. */
export async function loadPasskeys() {
  let passkeys;
  try {
    passkeys = await session.call('GET', '/auth/passkeys');
  } catch (error) {
    showMessage('passkey', 'error', errorText(error, 'Could not load your passkeys.'));
    return;
  }
  const items = passkeys.map((passkey) => {
    const item = document.createElement('li');
    const what = document.createElement('span');
    const used = passkey.last_used_at ? `last used ${formatTime(passkey.last_used_at)}` : 'not used yet';
    what.append(
      Object.assign(document.createElement('strong'), { textContent: passkey.name }),
      document.createElement('br'),
      Object.assign(document.createElement('small'), { textContent: `Added ${formatTime(passkey.created_at)} · ${used}` }),
    );
    const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: 'Remove' });
    remove.setAttribute('aria-label', `Remove passkey ${passkey.name}`);
    remove.addEventListener('click', () => removePasskey(passkey));
    item.append(what, remove);
    return item;
  });
  $('passkeys').replaceChildren(...items);
  $('passkeys').hidden = items.length === 0;
  $('passkeys-none').hidden = items.length > 0;
  if (!$('passkey-name').value) {
    $('passkey-name').value = defaultName();
  }
}

async function onAddPasskey(event) {
  event.preventDefault();
  clearForm('passkey');
  const name = $('passkey-name').value.trim();
  if (!name) {
    showMessage('passkey', 'error', 'Please fix the highlighted fields.');
    setNameError('Give the passkey a name, such as "Work laptop".');
    return;
  }
  if (!passkeysSupported()) {
    showMessage('passkey', 'error', "This browser can't create passkeys.");
    return;
  }
  await whenIdle();
  await run('passkey', { name: 'passkey-name' }, async () => {
    const options = await session.call('POST', '/auth/passkeys/register/options');
    const credential = await createPasskey(options);
    const passkey = await session.call('POST', '/auth/passkeys/register', { name, credential });
    $('passkey-name').value = '';
    await loadPasskeys();
    showMessage('passkey', 'info', `Passkey "${passkey.name}" added. You can sign in with it, no password needed.`);
  });
}

function setNameError(message) {
  const error = $('passkey-name-error');
  error.textContent = message;
  error.hidden = false;
  $('passkey-name').setAttribute('aria-invalid', 'true');
  $('passkey-name').focus();
}

async function removePasskey(passkey) {
  clearForm('passkey');
  await whenIdle();
  await run('passkey', {}, async () => {
    await session.call('DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`);
    await loadPasskeys();
    showMessage('passkey', 'info', `Passkey "${passkey.name}" removed. Remove it from your device too, in its settings.`);
  });
}

/** A name for the passkey this device makes: the browser and system, as the sessions list says them. */
function defaultName() {
  const agent = navigator.userAgent;
  const browser = [['Edg/', 'Edge'], ['OPR/', 'Opera'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']]
    .find(([token]) => agent.includes(token))?.[1];
  const system = [['Windows', 'Windows'], ['Android', 'Android'], ['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Mac OS X', 'Mac'], ['Linux', 'Linux']]
    .find(([token]) => agent.includes(token))?.[1];
  return [browser, system].filter(Boolean).join(' on ');
}

// ---- sign in with a passkey alone -------------------------------------------------------------------

async function onSignInWithPasskey() {
  clearForm('login');
  await run('login', {}, async () => {
    const { flow_id: flowId, options } = await postJson('/auth/passkeys/sign-in/options', {});
    const credential = await usePasskey(options);
    session.begin(await postJson('/auth/passkeys/sign-in', { flow_id: flowId, credential }));
    $('login-form').reset();
    await showAccount();
    state.email = state.accountEmail;
  });
}

// ---- start ------------------------------------------------------------------------------------------

export function startPasskeys() {
  $('passkey-form').addEventListener('submit', onAddPasskey);
  $('login-passkey').hidden = !passkeysSupported();
  $('login-passkey').addEventListener('click', onSignInWithPasskey);
}
