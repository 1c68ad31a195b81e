// Recordings on a profile page: the owner's and friends' past live sessions, each with a player, its waveform,
// an original / cleaned switch where both tracks exist, and rename / delete for the owner.
import { api, ApiError } from './api.js';
import { announce, el } from './dom.js';

const section = document.getElementById('recordings');
const owner = decodeURIComponent(location.pathname.replace(/^\/user\//, '').replace(/\/$/, ''));
const list = el('ul', { className: 'list recordings-list', 'aria-live': 'polite' });
const status = el('p', { className: 'placeholder-note' }, 'Loading recordings…');
let me = null;
let refreshTimer = null;

if (section) {
  section.classList.remove('placeholder');
  section.querySelector('.placeholder-note')?.remove();
  section.append(status, list);
  load();
  // Pushed over the presence socket by user.js: reload at once (a burst of changes becomes one load).
  let pushed = 0;
  document.addEventListener('recordings-changed', () => {
    clearTimeout(pushed);
    pushed = setTimeout(load, 150);
  });
}

async function load() {
  clearTimeout(refreshTimer);
  try {
    me ??= await api('/api/identity/me');
    const recordings = await api(`/api/recordings?owner=${encodeURIComponent(owner)}`);
    render(recordings);
    // A recording in progress grows; look again until it is done (its end is also pushed, this is the fallback).
    if (recordings.some((r) => r.status === 'recording')) refreshTimer = setTimeout(load, 10000);
  } catch (error) {
    list.replaceChildren();
    status.hidden = false;
    status.textContent = error instanceof ApiError && error.status === 403
      ? `Only ${owner} and their friends can hear their recordings.`
      : error instanceof ApiError ? error.title : 'Could not load the recordings.';
  }
}

function render(recordings) {
  status.hidden = recordings.length > 0;
  status.textContent = 'No recordings yet. Going live records the stream.';
  const playing = new Set([...list.querySelectorAll('audio')].filter((a) => !a.paused).map((a) => a.dataset.id));
  list.replaceChildren(...recordings.map((r) => {
    // Leave a recording that is playing alone rather than cut it off on refresh.
    const existing = playing.has(r.id) ? list.querySelector(`li[data-id="${r.id}"]`) : null;
    return existing ?? item(r);
  }));
}

function item(recording) {
  const isOwner = me && recording.owner.toLowerCase() === me.username.toLowerCase();
  // The file grows while recording and changes when it completes, under one address: a version in the URL keeps the
  // browser's media cache from playing what it fetched earlier (a stale, shorter file).
  const version = `${recording.status}-${recording.sizeBytes}`;
  const audioUrl = (track) => `/api/recordings/${recording.id}/audio?v=${encodeURIComponent(version)}${track === 'original' ? '&track=original' : ''}`;
  const audio = el('audio', { controls: true, preload: 'metadata', src: audioUrl('processed'), dataset: { id: recording.id }, style: 'width:100%' });
  // The waveform is the seek bar: click anywhere, or focus it and use the arrow keys (5 s), Page Up/Down (30 s), Home/End.
  const canvas = el('canvas', {
    className: 'waveform', height: 48, tabIndex: 0, role: 'slider',
    'aria-label': `Position in ${recording.title}`, 'aria-valuemin': '0', 'aria-valuemax': String(Math.floor(recording.durationSeconds)),
    'aria-valuenow': '0', 'aria-valuetext': `${clock(0)} of ${recording.duration}`,
  });
  const title = el('h3', { className: 'recording-title' }, recording.title);
  const created = new Date(recording.createdAt);
  const position = el('span', { className: 'recording-position' }, '');
  const meta = el('p', { className: 'recording-meta' },
    position, el('span', { className: 'recording-duration' }, recording.duration), ' · ',
    el('time', { datetime: recording.createdAt }, created.toLocaleString()),
    recording.status === 'complete' ? null : el('span', { className: 'badge' }, ` ${label(recording.status)}`),
    recording.stoppedReason ? el('span', { className: 'badge badge-stopped' }, ` ${stoppedLabel(recording.stoppedReason)}`) : null);
  // A limit stopped it while the stream went on live: say so, in the server's words.
  const stopped = recording.stoppedMessage ? el('p', { className: 'recording-stopped', role: 'note' }, recording.stoppedMessage) : null;
  const downloadUrl = (track, format) => `/api/recordings/${recording.id}/download?${new URLSearchParams({ ...(track === 'original' ? { track } : {}), ...(format ? { format } : {}) })}`;
  const download = el('a', { className: 'button button-quiet', href: downloadUrl('processed'), download: '' }, 'Download');
  const downloadWav = el('a', { className: 'button button-quiet', href: downloadUrl('processed', 'wav'), download: '', title: 'Uncompressed, about 25 times larger' }, 'WAV');
  const speed = el('select', { className: 'speed', 'aria-label': 'Playback speed', on: { change: () => { audio.playbackRate = Number(speed.value); } } },
    ...['1', '1.5', '2'].map((value) => el('option', { value }, `${value}×`)));
  // A new source resets the rate to 1: keep the listener's choice.
  audio.addEventListener('loadedmetadata', () => { audio.playbackRate = Number(speed.value); });
  const actions = el('div', { className: 'row-actions' }, speed, download, downloadWav);
  const row = el('li', { className: 'row recording', dataset: { id: recording.id } }, title, meta, stopped, canvas, audio, actions);
  if (recording.sizeBytes === 0 && recording.status !== 'recording') {
    // Refused at the start (quota, disk): there is no audio to play or download.
    canvas.remove();
    audio.remove();
    actions.replaceChildren();
  }

  let track = 'processed';
  let peaks = null;
  if (recording.hasOriginal) {
    const name = `track-${recording.id}`;
    const choice = (value, text) => el('label', {},
      el('input', { type: 'radio', name, value, checked: value === 'processed', on: { change: () => switchTrack(value) } }), el('span', {}, text));
    actions.prepend(el('fieldset', { className: 'track-switch segmented' }, el('legend', { className: 'visually-hidden' }, 'Track'),
      choice('processed', 'Cleaned'), choice('original', 'Original')));
  }

  async function switchTrack(value) {
    const at = audio.currentTime;
    const wasPlaying = !audio.paused;
    track = value;
    audio.src = audioUrl(value);
    download.href = downloadUrl(value);
    downloadWav.href = downloadUrl(value, 'wav');
    audio.addEventListener('loadedmetadata', () => {
      audio.currentTime = at;
      if (wasPlaying) audio.play().catch(() => {});
    }, { once: true });
    peaks = await loadPeaks(recording, value);
    draw(canvas, peaks, audio);
  }

  if (isOwner) {
    actions.append(
      el('button', { type: 'button', className: 'button button-quiet', on: { click: () => rename(recording, title) } }, 'Rename'),
      el('button', { type: 'button', className: 'button button-danger button-quiet', on: { click: () => remove(recording, row) } }, 'Delete'));
  }

  // The server's length is exact; a browser may not know an Ogg file's length (Infinity) or guess it short.
  const duration = () => (recording.durationSeconds > 0 ? recording.durationSeconds : audio.duration || 0);
  const seek = (seconds) => {
    audio.currentTime = Math.min(Math.max(0, seconds), duration());
  };
  audio.addEventListener('timeupdate', () => {
    draw(canvas, peaks, audio);
    position.textContent = `${clock(audio.currentTime)} / `;
    canvas.setAttribute('aria-valuenow', String(Math.floor(audio.currentTime)));
    canvas.setAttribute('aria-valuetext', `${clock(audio.currentTime)} of ${recording.duration}`);
  });
  canvas.addEventListener('click', (event) => seek((event.offsetX / canvas.clientWidth) * duration()));
  canvas.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 5, ArrowUp: 5, ArrowLeft: -5, ArrowDown: -5, PageUp: 30, PageDown: -30 }[event.key];
    if (step !== undefined) seek(audio.currentTime + step);
    else if (event.key === 'Home') seek(0);
    else if (event.key === 'End') seek(duration());
    else return;
    event.preventDefault();
  });
  if (recording.status !== 'recording' && recording.sizeBytes > 0) {
    loadPeaks(recording, track).then((p) => { peaks = p; draw(canvas, peaks, audio); });
  }
  return row;
}

/** MM:SS, or H:MM:SS from an hour on (as the server writes durations). */
function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function stoppedLabel(reason) {
  return { quota: 'stopped: quota full', 'disk-full': 'stopped: server disk full', 'max-length': 'stopped: longest recording' }[reason] ?? 'stopped early';
}

function label(value) {
  return { recording: 'recording…', repaired: 'repaired after a restart', failed: 'incomplete' }[value] ?? value;
}

async function loadPeaks(recording, track) {
  try {
    return await api(`/api/recordings/${recording.id}/peaks${track === 'original' ? '?track=original' : ''}`);
  } catch {
    return null;
  }
}

/** The min/max pairs as vertical bars; what has been played is drawn in the accent colour. */
function draw(canvas, peaks, audio) {
  if (!peaks || peaks.count === 0) return;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.floor(canvas.clientWidth * ratio));
  const height = Math.floor(48 * ratio);
  if (canvas.width !== width) canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  const style = getComputedStyle(canvas);
  const played = audio.duration ? audio.currentTime / audio.duration : 0;
  context.clearRect(0, 0, width, height);
  for (let x = 0; x < width; x++) {
    const i = Math.min(peaks.count - 1, Math.floor((x / width) * peaks.count));
    const min = peaks.peaks[2 * i];
    const max = peaks.peaks[2 * i + 1];
    context.fillStyle = x / width <= played ? (style.getPropertyValue('--accent') || '#2f6fde') : (style.getPropertyValue('--muted') || '#889');
    const top = ((1 - max) / 2) * height;
    const bottom = ((1 - min) / 2) * height;
    context.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
}

async function rename(recording, heading) {
  const title = window.prompt('New title (1 to 200 characters)', recording.title);
  if (title === null) return;
  try {
    const updated = await api(`/api/recordings/${recording.id}`, { method: 'PATCH', body: { title } });
    recording.title = updated.title;
    heading.textContent = updated.title;
    announce(`Renamed to ${updated.title}.`);
  } catch (error) {
    window.alert(error instanceof ApiError ? (error.errors.title?.[0] ?? error.title) : 'Could not rename the recording.');
  }
}

async function remove(recording, row) {
  if (!window.confirm(`Delete “${recording.title}”? This cannot be undone.`)) return;
  try {
    await api(`/api/recordings/${recording.id}`, { method: 'DELETE' });
    row.remove();
    announce(`Deleted ${recording.title}.`);
    if (!list.childElementCount) {
      status.hidden = false;
    }
  } catch (error) {
    window.alert(error instanceof ApiError ? error.title : 'Could not delete the recording.');
  }
}
