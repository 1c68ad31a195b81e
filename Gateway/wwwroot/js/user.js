// A profile: who this is, whether they are online or live (for friends, from the presence socket),
// and room for the live player and recordings that later releases add.
import { api, ApiError } from './api.js';
import { announce, byId, el, liveBadge, presenceText } from './dom.js';
import { startSession } from './session.js';

const UserNamePattern = /^[A-Za-z0-9_.-]{1,32}$/;

const { me, presence } = await startSession();

const requested = decodeURIComponent(location.pathname.replace(/^\/user\//, '').replace(/\/$/, ''));
const nameHeading = byId('profile-name');
const state = byId('profile-state');
const note = byId('profile-note');
const actions = byId('profile-actions');
const profile = byId('profile');

/** 'self' | 'friend' | 'stranger' | 'missing'; username is the server's spelling once known. */
let relation = null;
let username = requested;

nameHeading.textContent = requested;
document.title = `${requested} · AudioStream`;

async function loadRelation() {
  if (requested.toLowerCase() === me.username.toLowerCase()) {
    username = me.username;
    relation = { kind: 'self' };
    return render();
  }
  if (!UserNamePattern.test(requested)) {
    relation = { kind: 'missing' };
    return render();
  }
  try {
    const found = await api(`/api/social/users?query=${encodeURIComponent(requested)}`);
    const user = found.find((u) => u.username.toLowerCase() === requested.toLowerCase());
    if (!user) {
      relation = { kind: 'missing' };
    } else {
      username = user.username;
      relation = { kind: user.isFriend ? 'friend' : 'stranger', requestPending: user.requestPending };
    }
    byId('profile-error').hidden = true;
  } catch (error) {
    const line = byId('profile-error');
    line.textContent = error instanceof ApiError ? error.title : 'Could not load this profile.';
    line.hidden = false;
  }
  render();
}

function render() {
  if (!relation) return;
  nameHeading.textContent = username;
  document.title = `${username} · AudioStream`;
  profile.dataset.relation = relation.kind;
  note.hidden = true;
  actions.replaceChildren();

  const missing = relation.kind === 'missing';
  byId('live').hidden = missing;
  byId('recordings').hidden = missing;

  switch (relation.kind) {
    case 'self':
      state.replaceChildren(el('span', { className: 'badge badge-self' }, 'This is you'));
      break;
    case 'friend':
      renderPresence();
      break;
    case 'stranger': {
      state.replaceChildren('Not your friend yet');
      note.textContent = `Friends see when ${username} is online and can listen when they go live.`;
      note.hidden = false;
      const pending = Boolean(relation.requestPending);
      const add = el('button', { type: 'button', className: pending ? 'button' : 'button button-primary', disabled: pending },
        pending ? 'Pending' : 'Add friend');
      add.addEventListener('click', async () => {
        add.disabled = true;
        try {
          await api('/api/social/requests', { method: 'POST', body: { username } });
        } catch (error) {
          const line = byId('profile-error');
          line.textContent = error instanceof ApiError ? error.title : 'The request failed.';
          line.hidden = false;
        }
        await loadRelation();
      });
      actions.append(add);
      break;
    }
    default:
      state.replaceChildren('No one here');
      note.textContent = `There is no AudioStream user called “${requested}”.`;
      note.hidden = false;
      break;
  }
}

function renderPresence() {
  const status = presence.statusOf(username);
  profile.dataset.online = String(status.online);
  profile.dataset.streaming = String(status.isStreaming);
  const dot = el('span', { className: 'presence-dot', 'aria-hidden': 'true' });
  state.replaceChildren(dot, el('span', { className: 'friend-status' }, presenceText(status)));
  const badge = liveBadge(status);
  if (badge) state.append(' ', badge);
}

presence.on('all_statuses', ({ reconnected }) => {
  if (relation?.kind === 'friend') renderPresence();
  // Changes made while the socket was down were not pushed: the recordings list looks again.
  if (reconnected) document.dispatchEvent(new CustomEvent('recordings-changed', { detail: { change: 'reconnected' } }));
});

// A recording of this page's user started, finished, was renamed or deleted (the owner's and friends' sockets hear it).
presence.on('recordings_changed', (detail) => {
  if (detail.username.toLowerCase() === username.toLowerCase()) {
    document.dispatchEvent(new CustomEvent('recordings-changed', { detail }));
  }
});

presence.on('status', ({ username: who, status, previous, kind }) => {
  if (relation?.kind !== 'friend' || who !== username) return;
  if (kind === 'streaming_status_update') {
    document.dispatchEvent(new CustomEvent('live-status-changed', { detail: { username: who, isStreaming: status.isStreaming } }));
  }
  renderPresence();
  if (kind === 'presence_update' && previous.online !== status.online) announce(`${who} is ${status.online ? 'online' : 'offline'}.`);
  if (kind === 'streaming_status_update' && previous.isStreaming !== status.isStreaming) {
    announce(status.isStreaming ? `${who} is live.` : `${who} stopped streaming.`);
  }
});

presence.on('friends_changed', () => loadRelation());
presence.on('requests_changed', () => loadRelation());

await loadRelation();
presence.start();
