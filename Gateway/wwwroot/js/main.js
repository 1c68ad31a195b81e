// The main page: friends with live presence, requests in and out, and user search. Everything refreshes
// from the presence socket, so nothing here ever needs a reload.
import { api, ApiError } from './api.js';
import { announce, byId, el, liveBadge, presenceText, profileUrl } from './dom.js';
import { startSession } from './session.js';

const UserNamePattern = /^[A-Za-z0-9_.-]{1,32}$/;
const SearchDelayMs = 250;
const ConfirmRemoveMs = 4000;

const { presence } = await startSession();

/** Latest answers from the API; null until the first load. */
let friends = null;
let requests = null;

// ---------- friends ----------

const friendsList = byId('friends-list');
let friendsLoad = 0;

async function refreshFriends() {
  const load = ++friendsLoad;
  try {
    const latest = await api('/api/social/friends');
    if (load !== friendsLoad) return;
    if (friends) announceFriendChanges(friends, latest);
    friends = latest;
    hideError('friends-error');
    renderFriends();
  } catch (error) {
    if (load === friendsLoad) showError('friends-error', error);
  }
}

function announceFriendChanges(before, after) {
  const old = new Set(before.map((f) => f.username));
  const now = new Set(after.map((f) => f.username));
  for (const name of now) if (!old.has(name)) announce(`You and ${name} are now friends.`);
  for (const name of old) if (!now.has(name)) announce(`${name} is no longer your friend.`);
}

function renderFriends() {
  friendsList.removeAttribute('aria-busy');
  friendsList.replaceChildren(...friends.map((friend) => friendRow(friend.username)));
  byId('friends-empty').hidden = friends.length > 0;
  renderFriendsSummary();
}

function friendRow(username) {
  const remove = el('button', { type: 'button', className: 'button button-quiet', 'aria-label': `Remove ${username} from friends` }, 'Remove');
  let confirmTimer = 0;
  remove.addEventListener('click', async () => {
    if (remove.dataset.confirm !== 'true') {
      // Two steps, without a modal: the first click asks, the second removes.
      remove.dataset.confirm = 'true';
      remove.textContent = 'Confirm remove';
      remove.classList.add('button-danger');
      confirmTimer = setTimeout(() => {
        delete remove.dataset.confirm;
        remove.textContent = 'Remove';
        remove.classList.remove('button-danger');
      }, ConfirmRemoveMs);
      return;
    }
    clearTimeout(confirmTimer);
    remove.disabled = true;
    try {
      await api(`/api/social/friends/${encodeURIComponent(username)}`, { method: 'DELETE' });
    } catch (error) {
      showError('friends-error', error);
      remove.disabled = false;
    }
    await refreshFriends();
    refreshSearch();
  });

  const row = el('li', { className: 'row friend', dataset: { username } },
    el('a', { className: 'friend-link', href: profileUrl(username) },
      el('span', { className: 'presence-dot', 'aria-hidden': 'true' }),
      el('span', { className: 'friend-name' }, username)),
    el('span', { className: 'friend-state' }),
    el('span', { className: 'row-actions' }, remove));
  updateFriendRow(row, presence.statusOf(username));
  return row;
}

function updateFriendRow(row, status) {
  row.dataset.online = String(status.online);
  row.dataset.streaming = String(status.isStreaming);
  const state = row.querySelector('.friend-state');
  state.replaceChildren(el('span', { className: 'friend-status' }, presenceText(status)));
  const badge = liveBadge(status);
  if (badge) state.append(' ', badge);
}

function rowFor(username) {
  return [...friendsList.children].find((row) => row.dataset.username === username) ?? null;
}

function renderFriendsSummary() {
  const summary = byId('friends-summary');
  if (!friends?.length) {
    summary.textContent = '';
    return;
  }
  const online = friends.filter((f) => presence.statusOf(f.username).online).length;
  summary.textContent = `${online} of ${friends.length} online`;
}

presence.on('all_statuses', ({ statuses, previous, reconnected }) => {
  for (const row of friendsList.children) updateFriendRow(row, presence.statusOf(row.dataset.username));
  renderFriendsSummary();
  for (const [name, status] of statuses) {
    const before = previous.get(name);
    if (before && before.online !== status.online) announce(`${name} is ${status.online ? 'online' : 'offline'}.`);
  }
  // Events may have been missed while the socket was down.
  if (reconnected) {
    refreshFriends();
    refreshRequests();
  }
});

presence.on('status', ({ username, status, previous, kind }) => {
  const row = rowFor(username);
  if (row) updateFriendRow(row, status);
  renderFriendsSummary();
  if (kind === 'presence_update' && previous.online !== status.online) {
    announce(`${username} is ${status.online ? 'online' : 'offline'}.`);
  } else if (kind === 'streaming_status_update' && previous.isStreaming !== status.isStreaming) {
    announce(status.isStreaming ? `${username} is live.` : `${username} stopped streaming.`);
  }
});

presence.on('friends_changed', () => {
  refreshFriends();
  refreshRequests();
  refreshSearch();
});

presence.on('requests_changed', () => {
  refreshRequests();
  refreshSearch();
});

// ---------- requests ----------

let requestsLoad = 0;

async function refreshRequests() {
  const load = ++requestsLoad;
  try {
    const latest = await api('/api/social/requests');
    if (load !== requestsLoad) return;
    if (requests) {
      const known = new Set(requests.incoming.map((r) => r.id));
      for (const request of latest.incoming) {
        if (!known.has(request.id)) announce(`${request.username} sent you a friend request.`);
      }
    }
    requests = latest;
    hideError('requests-error');
    renderRequests();
  } catch (error) {
    if (load === requestsLoad) showError('requests-error', error);
  }
}

function renderRequests() {
  byId('incoming-list').replaceChildren(...requests.incoming.map(incomingRow));
  byId('incoming-empty').hidden = requests.incoming.length > 0;
  byId('outgoing-list').replaceChildren(...requests.outgoing.map(outgoingRow));
  byId('outgoing-empty').hidden = requests.outgoing.length > 0;
}

function incomingRow(request) {
  const accept = el('button', { type: 'button', className: 'button button-primary', 'aria-label': `Accept ${request.username}` }, 'Accept');
  const reject = el('button', { type: 'button', className: 'button', 'aria-label': `Reject ${request.username}` }, 'Reject');
  accept.addEventListener('click', () => answer(`/api/social/requests/${request.id}/accept`, 'POST', [accept, reject]));
  reject.addEventListener('click', () => answer(`/api/social/requests/${request.id}/reject`, 'POST', [accept, reject]));
  return el('li', { className: 'row request', dataset: { username: request.username, id: request.id } },
    el('a', { className: 'request-name', href: profileUrl(request.username) }, request.username),
    el('span', { className: 'row-actions' }, accept, reject));
}

function outgoingRow(request) {
  const cancel = el('button', { type: 'button', className: 'button button-quiet', 'aria-label': `Cancel request to ${request.username}` }, 'Cancel');
  cancel.addEventListener('click', () => answer(`/api/social/requests/${request.id}`, 'DELETE', [cancel]));
  return el('li', { className: 'row request', dataset: { username: request.username, id: request.id } },
    el('a', { className: 'request-name', href: profileUrl(request.username) }, request.username),
    el('span', { className: 'badge badge-pending' }, 'Pending'),
    el('span', { className: 'row-actions' }, cancel));
}

async function answer(path, method, buttons) {
  for (const button of buttons) button.disabled = true;
  try {
    await api(path, { method });
  } catch (error) {
    showError('requests-error', error);
    for (const button of buttons) button.disabled = false;
  }
  await Promise.all([refreshRequests(), refreshFriends()]);
  refreshSearch();
}

// ---------- search ----------

const searchInput = byId('search-input');
const searchStatus = byId('search-status');
const searchResults = byId('search-results');
let searchTimer = 0;
let searchAbort = null;

byId('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  runSearch();
});

searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, SearchDelayMs);
});

/** Re-runs the current search quietly so the buttons follow requests and friendships made elsewhere. */
function refreshSearch() {
  if (searchInput.value.trim()) runSearch({ quiet: true });
}

async function runSearch({ quiet = false } = {}) {
  const query = searchInput.value.trim();
  searchAbort?.abort();
  searchAbort = null;
  if (!query) {
    searchStatus.textContent = '';
    searchResults.replaceChildren();
    return;
  }
  if (!UserNamePattern.test(query)) {
    searchStatus.textContent = 'Usernames have only letters, digits, “_”, “.” and “-”.';
    searchResults.replaceChildren();
    return;
  }
  const abort = new AbortController();
  searchAbort = abort;
  if (!quiet) searchStatus.textContent = 'Searching…';
  try {
    const users = await api(`/api/social/users?query=${encodeURIComponent(query)}`, { signal: abort.signal });
    if (abort.signal.aborted) return;
    searchResults.replaceChildren(...users.map(searchRow));
    searchStatus.textContent = users.length === 0
      ? `No one found for “${query}”.`
      : users.length === 1 ? '1 person found.' : `${users.length} people found.`;
  } catch (error) {
    if (error?.name === 'AbortError') return;
    searchStatus.textContent = error instanceof ApiError ? error.title : 'Search failed.';
  }
}

function searchRow(user) {
  const button = el('button', { type: 'button', className: 'button button-primary' }, 'Add friend');
  setAddState(button, user);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Sending…';
    try {
      const result = await api('/api/social/requests', { method: 'POST', body: { username: user.username } });
      setAddState(button, { isFriend: result?.friends === true, requestPending: result?.friends !== true });
      announce(result?.friends ? `You and ${user.username} are now friends.` : `Friend request sent to ${user.username}.`);
    } catch (error) {
      searchStatus.textContent = error instanceof ApiError ? error.title : 'The request failed.';
      setAddState(button, user);
    }
    refreshRequests();
    refreshFriends();
  });
  return el('li', { className: 'row search-result', dataset: { username: user.username } },
    el('a', { className: 'search-name', href: profileUrl(user.username) }, user.username),
    el('span', { className: 'row-actions' }, button));
}

function setAddState(button, { isFriend, requestPending }) {
  button.disabled = isFriend || requestPending;
  button.textContent = isFriend ? 'Friends' : requestPending ? 'Pending' : 'Add friend';
  button.classList.toggle('button-primary', !button.disabled);
}

// ---------- shared ----------

function showError(id, error) {
  const line = byId(id);
  line.textContent = error instanceof ApiError ? error.title : 'Something went wrong. Try again.';
  line.hidden = false;
}

function hideError(id) {
  byId(id).hidden = true;
}

await Promise.all([refreshFriends(), refreshRequests()]);
presence.start();
