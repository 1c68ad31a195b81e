// The presence socket: friends' online / live / listener state pushed by the server, plus hints that the
// friend list or the requests changed. Reconnects with backoff until stop() (e.g. on logout).

const PingIntervalMs = 25_000;
const MaxBackoffMs = 15_000;

export class Presence extends EventTarget {
  #url;
  #socket = null;
  #stopped = true;
  #attempt = 0;
  #retryTimer = 0;
  #pingTimer = 0;
  #everConnected = false;

  /** username → {username, online, isStreaming, listeners} for every friend the server told us about. */
  statuses = new Map();

  /** 'connecting' | 'open' | 'closed' */
  state = 'closed';

  constructor(path = '/ws/presence/') {
    super();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#url = `${scheme}//${location.host}${path}`;
  }

  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'bye');
    this.#setState('closed');
  }

  /** The last known status of a friend, or an offline placeholder. */
  statusOf(username) {
    return this.statuses.get(username) ?? { username, online: false, isStreaming: false, listeners: 0 };
  }

  /** Adds a listener for one message type and returns a function that removes it. */
  on(type, handler) {
    const listener = (event) => handler(event.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('connection', { state });
  }

  #connect() {
    this.#setState('connecting');
    let socket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    let opened = false;

    socket.addEventListener('open', () => {
      opened = true;
      this.#setState('open');
      clearInterval(this.#pingTimer);
      this.#pingTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
      }, PingIntervalMs);
    });

    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === 'string') {
        this.#attempt = 0;
        this.#handle(message);
      }
    });

    socket.addEventListener('close', () => {
      clearInterval(this.#pingTimer);
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#stopped) return;
      this.#setState('closed');
      // A socket that never opened may mean the session ended: let the page check and send us to /login.
      if (!opened) this.#emit('unreachable', {});
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    const base = Math.min(MaxBackoffMs, 500 * 2 ** this.#attempt);
    this.#attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  #handle(message) {
    switch (message.type) {
      case 'all_statuses': {
        const previous = this.statuses;
        this.statuses = new Map();
        for (const status of Array.isArray(message.statuses) ? message.statuses : []) {
          if (typeof status?.username === 'string') this.statuses.set(status.username, normalize(status));
        }
        const reconnected = this.#everConnected;
        this.#everConnected = true;
        this.#emit('all_statuses', { statuses: this.statuses, previous, reconnected });
        break;
      }
      case 'presence_update':
        this.#update(message.username, { online: Boolean(message.online) }, message.type);
        break;
      case 'streaming_status_update':
        this.#update(message.username, { isStreaming: Boolean(message.isStreaming ?? message.is_streaming) }, message.type);
        break;
      case 'listeners_update':
        this.#update(message.username, { listeners: Number(message.listeners) || 0 }, message.type);
        break;
      case 'friends_changed':
      case 'requests_changed':
        this.#emit(message.type, {});
        break;
      case 'recordings_changed':
        if (typeof message.username === 'string') {
          this.#emit(message.type, { username: message.username, recordingId: message.recordingId, change: message.change });
        }
        break;
      default:
        break;
    }
  }

  #update(username, change, kind) {
    if (typeof username !== 'string') return;
    const previous = this.statusOf(username);
    const status = { ...previous, ...change };
    this.statuses.set(username, status);
    this.#emit('status', { username, status, previous, kind });
  }
}

function normalize(status) {
  return {
    username: status.username,
    online: Boolean(status.online),
    isStreaming: Boolean(status.isStreaming ?? status.is_streaming),
    listeners: Number(status.listeners) || 0,
  };
}
