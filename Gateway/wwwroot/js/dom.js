// Small DOM helpers. Text always goes in as text nodes: user data never passes through innerHTML.

/**
 * Creates an element. attrs: className, hidden, disabled, dataset {..}, on {event: handler},
 * and any other key as an attribute. Children: nodes or strings (as text).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === 'hidden' || key === 'disabled') node[key] = Boolean(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Reads a required element by id; a missing one is a bug in the page, so say which. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

/** Says something to screen-reader users through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  const line = el('p', {}, text);
  region.append(line);
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

/** "Online" or "Offline" for a friend (someone live is online); the LIVE badge tells the rest. */
export function presenceText(status) {
  return status.online || status.isStreaming ? 'Online' : 'Offline';
}

export function listenersText(count) {
  return count === 1 ? '1 listener' : `${count} listeners`;
}

/** The "LIVE · n" badge, or null when not streaming. */
export function liveBadge(status) {
  if (!status.isStreaming) return null;
  return el('span', { className: 'badge badge-live', title: listenersText(status.listeners) },
    'LIVE', el('span', { className: 'badge-count' }, ` · ${status.listeners}`),
    el('span', { className: 'visually-hidden' }, ` ${status.listeners === 1 ? 'listener' : 'listeners'}`));
}

export function profileUrl(username) {
  return `/user/${encodeURIComponent(username)}`;
}
