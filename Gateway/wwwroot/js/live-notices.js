// "Friend is live" notices: when a friend goes live while this tab is in the background (hidden, or another tab or
// app has the focus), a browser notification that opens their page. Permission is asked only when the person
// clicks the offer in the header, never on page load.
import { el, profileUrl } from './dom.js';

export function offerLiveNotices(presence, container) {
  if (!('Notification' in window) || !container) return;
  const offer = el('button', { type: 'button', id: 'notify-live', className: 'button button-quiet', hidden: Notification.permission !== 'default' },
    'Notify me when friends go live');
  offer.addEventListener('click', async () => {
    offer.disabled = true;
    const answer = await Notification.requestPermission();
    offer.hidden = answer !== 'default';
    offer.disabled = false;
  });
  container.prepend(offer);

  presence.on('status', ({ username, status, previous, kind }) => {
    if (kind !== 'streaming_status_update' || !status.isStreaming || previous.isStreaming) return;
    if (Notification.permission !== 'granted' || (!document.hidden && document.hasFocus())) return;
    // One notice per friend and stream, even with several tabs open (the tag replaces an earlier one).
    const notice = new Notification(`${username} is live`, { body: 'Click to listen.', tag: `live-${username}` });
    notice.addEventListener('click', () => {
      window.focus();
      location.assign(profileUrl(username));
      notice.close();
    });
  });
}
