// Stream keys on your own profile: create (the secret is shown once, to copy), list, revoke; and how to set up OBS
// or whip-client with them. Other people's profiles leave the section hidden.
import { api, ApiError } from './api.js';
import { announce, byId, el } from './dom.js';

const section = byId('stream-keys');
const requested = decodeURIComponent(location.pathname.replace(/^\/user\//, '').replace(/\/$/, ''));
const me = await api('/api/identity/me');
if (requested.toLowerCase() === me.username.toLowerCase()) {
  section.hidden = false;
  render();
}

async function render(created = null) {
  const serverUrl = `${location.origin}/api/media/whip`;
  const keys = await api('/api/media/keys');
  const name = el('input', { id: 'key-name', type: 'text', maxlength: '64', required: '', placeholder: 'OBS at home' });
  const error = el('p', { id: 'key-error', class: 'form-error', role: 'alert', hidden: true });
  const form = el('form', { class: 'row-actions' },
    el('label', { for: 'key-name' }, 'Name'), name, el('button', { type: 'submit' }, 'Create key'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const key = await api('/api/media/keys', { method: 'POST', body: { name: name.value } });
      announce(`Stream key ${key.name} created. Copy it now: it is shown only once.`);
      await render(key);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error.textContent = e.errors.name?.[0] ?? e.title;
      error.hidden = false;
    }
  });

  section.replaceChildren(
    el('h2', { id: 'stream-keys-heading' }, 'Stream keys'),
    el('p', {}, 'Go live from OBS, GStreamer or any WHIP client: give it the server URL and a key as its Bearer token.'),
    copyable('Server', 'whip-server-url', serverUrl),
    ...(created ? [copyable(`Key "${created.name}" (shown only now)`, 'new-key', created.key)] : []),
    form, error,
    el('ul', { id: 'key-list', class: 'key-list' }, ...keys.map(keyItem)),
    el('details', {},
      el('summary', {}, 'How to set up OBS and whip-client'),
      el('p', {}, 'OBS: Settings → Stream → Service "WHIP", Server ', el('code', {}, serverUrl), ', Bearer Token = your key.'),
      el('p', {}, 'whip-client: ', el('code', {},
        `whip-client -u ${serverUrl} -t <key> -A "pulsesrc ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 ! queue ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111"`)),
      el('p', {}, 'Add ?title=… or ?denoise=false to the server URL to title the stream or turn noise removal off.')));
}

function keyItem(key) {
  const used = key.lastUsedAt ? `last used ${new Date(key.lastUsedAt).toLocaleString()}` : 'never used';
  const revoke = el('button', { type: 'button', class: 'secondary' }, 'Revoke');
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    await api(`/api/media/keys/${key.id}`, { method: 'DELETE' });
    announce(`Stream key ${key.name} revoked.`);
    await render();
  });
  return el('li', {}, el('span', {}, `${key.name} · created ${new Date(key.createdAt).toLocaleDateString()} · ${used}`), revoke);
}

function copyable(label, id, value) {
  const input = el('input', { id, type: 'text', readonly: '', value });
  const copy = el('button', { type: 'button', class: 'secondary' }, 'Copy');
  copy.addEventListener('click', async () => {
    await navigator.clipboard.writeText(value);
    announce(`${label} copied.`);
  });
  return el('p', { class: 'row-actions' }, el('label', { for: id }, label), input, copy);
}
