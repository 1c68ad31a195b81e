// What every signed-in page shares: who you are in the header, the Log out button, the presence socket.
import { api } from './api.js';
import { byId } from './dom.js';
import { offerLiveNotices } from './live-notices.js';
import { Presence } from './presence.js';

/** Loads the signed-in user (a 401 sends the visitor to /login) and wires the header. */
export async function startSession() {
  const me = await api('/api/identity/me');
  byId('me-name').textContent = me.username;
  const presence = new Presence();

  const logout = byId('logout');
  logout.disabled = false;
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    logout.textContent = 'Logging out…';
    presence.stop();
    try {
      await api('/api/identity/logout', { method: 'POST', redirectOn401: false });
    } catch {
      // Already signed out or unreachable: the login page is the right place either way.
    }
    location.assign('/login');
  });

  // A socket that cannot even open may mean the session ended elsewhere; /me answers 401 then and api() redirects.
  presence.on('unreachable', () => {
    api('/api/identity/me').catch(() => {});
  });

  const indicator = document.getElementById('connection');
  if (indicator) {
    presence.on('connection', ({ state }) => {
      indicator.dataset.state = state;
      indicator.textContent = state === 'open' ? 'Live updates on' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
    });
  }
  offerLiveNotices(presence, document.querySelector('.header-user'));
  window.addEventListener('pagehide', () => presence.stop());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) presence.start();
  });
  return { me, presence };
}
