// Live audio on /user/{name}: "Go live" on your own page (microphone → WHIP), "Listen" on a friend's (WHEP).
// ES module, no build step. The exported functions are the whole protocol; the rest renders section#live.

const MIC_CONSTRAINTS = { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } };
const RTC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const STATS_EVERY_MS = 3000;

async function problemTitle(response) {
  try {
    const problem = await response.json();
    if (problem && problem.title) return problem.title;
  } catch { /* not JSON */ }
  return `The request failed (${response.status}).`;
}

class LiveError extends Error {
  constructor(status, message, retryAfterSeconds = null) {
    super(message);
    this.name = 'LiveError';
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A LiveError for a failed response, with its Retry-After (seconds) when a limit or a lost server asks to come back. */
async function failure(response) {
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new LiveError(response.status, await problemTitle(response), Number.isFinite(retryAfter) ? retryAfter : null);
}

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * STUN and TURN servers with credentials for this user (the relay reaches us from networks that block UDP or sit
 * behind a strict NAT). None when the request fails: a direct path may still work.
 */
async function iceServers() {
  try {
    const response = await fetch('/api/media/ice-servers', { credentials: 'same-origin' });
    if (response.ok) return (await response.json()).iceServers ?? [];
  } catch { /* offline or signed out: try without */ }
  return [];
}

/** A peer connection for WHIP/WHEP; iceTransportPolicy 'relay' forces the TURN relay (testing a network). */
async function createPeerConnection(iceTransportPolicy) {
  const config = { ...RTC_CONFIG, iceServers: await iceServers() };
  if (iceTransportPolicy) config.iceTransportPolicy = iceTransportPolicy;
  return new RTCPeerConnection(config);
}

/** Posts an SDP offer (WHIP/WHEP), applies the answer; returns the session URL to DELETE later. */
async function negotiate(pc, url) {
  await pc.setLocalDescription(await pc.createOffer());
  pc.postedAt = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp' },
    body: pc.localDescription.sdp,
    credentials: 'same-origin',
  });
  if (response.status !== 201) throw await failure(response);
  const answer = await response.text();
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return response.headers.get('Location');
}

function waitConnected(pc, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LiveError(0, 'Could not connect the audio (timeout).')), timeoutMs);
    const check = () => {
      if (pc.connectionState === 'connected') {
        clearTimeout(timer);
        // WHIP/WHEP POST → media connected (ICE + DTLS), for the page's diagnostics and the network tests.
        pc.connectMs = performance.now() - pc.postedAt;
        resolve();
      }
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        clearTimeout(timer);
        reject(new LiveError(0, 'The audio connection failed.'));
      }
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

async function deleteQuietly(url) {
  if (!url) return;
  try { await fetch(url, { method: 'DELETE', credentials: 'same-origin' }); } catch { /* already gone */ }
}

/**
 * Goes live: creates the stream, sends the microphone over WHIP. Resolves once audio flows.
 * Returns { sessionId, startedAt, denoise, pc, microphone, connectMs, stop() }.
 */
export async function goLive({ denoise = true, title = null, iceTransportPolicy = undefined } = {}) {
  const microphone = await navigator.mediaDevices.getUserMedia(MIC_CONSTRAINTS);
  const created = await fetch('/api/media/streams', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ denoise, title }),
    credentials: 'same-origin',
  });
  if (created.status !== 201) {
    microphone.getTracks().forEach(t => t.stop());
    throw await failure(created);
  }
  const live = await created.json();
  const pc = await createPeerConnection(iceTransportPolicy);
  pc.addTransceiver(microphone.getAudioTracks()[0], { direction: 'sendonly', streams: [microphone] });
  // Ending the stream first (rather than DELETE on the WHIP session, or hanging up) returns its summary.
  const stop = async () => {
    const ended = await fetch('/api/media/streams/current', { method: 'DELETE', credentials: 'same-origin' });
    pc.close();
    microphone.getTracks().forEach(t => t.stop());
    return ended.ok ? ended.json() : null;
  };
  try {
    await negotiate(pc, live.whipUrl);
    await waitConnected(pc);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...live, pc, microphone, connectMs: pc.connectMs, stop };
}

/**
 * Listens to a live friend over WHEP. Returns { pc, stream, audio, connectMs, setTrack(track), stop() }; audio is a
 * playing <audio>; setTrack('original' | 'processed') switches what the server sends on the same connection.
 */
export async function listen(username, { volume = 1, iceTransportPolicy = undefined } = {}) {
  const pc = await createPeerConnection(iceTransportPolicy);
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const stream = new MediaStream();
  const audio = new Audio();
  audio.autoplay = true;
  audio.volume = volume;
  pc.ontrack = event => {
    stream.addTrack(event.track);
    audio.srcObject = stream;
    audio.play().catch(() => { /* autoplay blocked until a click; the Listen click counts */ });
  };
  let location = null;
  const stop = async () => {
    pc.close();
    audio.srcObject = null;
    await deleteQuietly(location);
  };
  const setTrack = async (track) => {
    const response = await fetch(`${location}/track`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ track }),
      credentials: 'same-origin',
    });
    if (response.status !== 204) throw new LiveError(response.status, await problemTitle(response));
  };
  try {
    location = await negotiate(pc, `/api/media/whep/${encodeURIComponent(username)}`);
    await waitConnected(pc);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pc, stream, audio, connectMs: pc.connectMs, setTrack, stop };
}

/** GET the stream's stats: the body, or null when not live (404). Throws a LiveError (403) for non-friends. */
export async function streamStats(username) {
  const response = await fetch(`/api/media/streams/${encodeURIComponent(username)}`, { credentials: 'same-origin' });
  if (response.status === 200) return response.json();
  if (response.status === 404) return null;
  throw await failure(response);
}

/**
 * What the recording of one's own stream is doing: { text } in a few words, and a { note } when it stopped while the
 * stream goes on (a limit: quota, disk space, longest recording) or failed. Null when it cannot be told now.
 */
export async function recordingState(sessionId) {
  const response = await fetch(`/api/recordings/${encodeURIComponent(sessionId)}`, { credentials: 'same-origin' });
  if (response.status === 404) return { text: 'starting…' };
  if (!response.ok) return null;
  const recording = await response.json();
  if (recording.stoppedReason) return { text: 'stopped', note: recording.stoppedMessage };
  if (recording.status === 'recording') return { text: `on (${recording.duration})` };
  if (recording.status === 'failed') return { text: 'failed', note: recording.error };
  return { text: recording.status };
}

// ---------------------------------------------------------------- page

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else if (value !== false && value != null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function formatElapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${m}:${s}` : `${m}:${s}`;
}

function listenerText(n) { return n === 1 ? '1 listener' : `${n} listeners`; }

/** How the stream is denoised and the delay that adds, from its stats. */
function denoiserText(stats) {
  const denoiser = stats?.denoiser;
  if (!denoiser || denoiser.mode === 'off') return 'none (noise removal off)';
  if (denoiser.mode === 'pass-through') return 'none (noise removal unavailable)';
  const how = denoiser.mode === 'stateful' ? 'frame by frame' : 'in chunks';
  return `+${Math.round(denoiser.addedDelayMs)} ms (noise removal ${how})`;
}

/** A level meter (0–1) fed by a WebAudio AnalyserNode on the microphone. Returns a stop function. */
function meterMicrophone(microphone, meter) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(microphone).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const draw = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const x of samples) sum += x * x;
    const db = 10 * Math.log10(sum / samples.length + 1e-12);
    meter.value = Math.min(1, Math.max(0, (db + 60) / 60));
    frame = requestAnimationFrame(draw);
  };
  draw();
  return () => { cancelAnimationFrame(frame); context.close(); };
}

function renderBroadcaster(section, me) {
  const denoise = el('input', { type: 'checkbox', role: 'switch', class: 'switch', id: 'live-denoise', checked: true });
  const title = el('input', { type: 'text', id: 'live-title', maxlength: '200', placeholder: 'What is it about? (optional)', autocomplete: 'off' });
  const goButton = el('button', { type: 'button', id: 'live-go', class: 'button button-primary button-large' }, 'Go live');
  const stopButton = el('button', { type: 'button', id: 'live-stop', class: 'button button-danger button-large', hidden: true }, 'Stop');
  const status = el('p', { id: 'live-status', class: 'live-status', role: 'status' }, 'You are not live.');
  const level = el('meter', { id: 'live-level', min: '0', max: '1', low: '0.6', high: '0.9', optimum: '0.5', value: '0', 'aria-label': 'Microphone level' });
  const elapsed = el('dd', { id: 'live-elapsed' }, '');
  const listeners = el('dd', { id: 'live-listeners' }, '');
  const denoiserInfo = el('dd', { id: 'live-denoiser' }, '');
  const recordingInfo = el('dd', { id: 'live-recording' }, '');
  const recordingNote = el('p', { id: 'live-recording-note', class: 'live-recording-note', role: 'alert', hidden: true });
  const stat = (term, value) => el('div', {}, el('dt', {}, term), value);
  const details = el('dl', { class: 'live-stats', hidden: true },
    stat('Mic', el('dd', {}, level)), stat('Elapsed', elapsed), stat('Listening', listeners), stat('Added delay', denoiserInfo),
    stat('Recording', recordingInfo));
  section.append(
    el('h2', { id: 'live-heading' }, 'Live'),
    el('div', { class: 'live-card' },
      el('div', { class: 'field live-title' }, el('label', { for: 'live-title' }, 'Title'), title),
      el('label', { class: 'switch-row', for: 'live-denoise' }, denoise, el('span', {}, 'Remove background noise')),
      el('div', { class: 'live-actions' }, goButton, stopButton),
      status,
      recordingNote,
      details));

  let broadcast = null;
  let timers = [];
  let stopMeter = null;
  // When the stream was lost rather than stopped: going live again then waits out the old stream's closing.
  let lostAt = null;

  const reset = (message, { lost = false } = {}) => {
    timers.forEach(clearInterval);
    timers = [];
    stopMeter?.();
    stopMeter = null;
    broadcast = null;
    lostAt = lost ? Date.now() : null;
    goButton.textContent = lost ? 'Go live again' : 'Go live';
    goButton.hidden = false;
    goButton.disabled = false;
    stopButton.hidden = true;
    denoise.disabled = false;
    title.disabled = false;
    details.hidden = true;
    recordingNote.hidden = true;
    status.textContent = message;
  };

  /** The stream stopped without the Stop button (its server was lost, the connection failed): offer it again. */
  const lose = (message) => {
    const ending = broadcast;
    if (!ending) return;
    reset(message, { lost: true });
    ending.stop().catch(() => { /* its server may be gone */ });
  };

  /**
   * Goes live; while the media servers ask to come back (503 with Retry-After: one was lost, is restarting or full)
   * and, just after a loss, while the lost stream is still closing (409), tries again for up to two minutes (a restarting node).
   */
  const goLiveRetrying = async (options) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        return await goLive(options);
      } catch (error) {
        const closing = error.status === 409 && lostAt !== null && Date.now() - lostAt < 30_000;
        if (!(error.status === 503 || closing) || Date.now() > deadline) throw error;
        status.textContent = closing ? 'Waiting for your previous stream to close…' : `${error.message} Trying again…`;
        await sleep(1000 * Math.min(10, Math.max(1, error.retryAfterSeconds ?? 2)));
      }
    }
  };

  goButton.addEventListener('click', async () => {
    goButton.disabled = true;
    denoise.disabled = true;
    title.disabled = true;
    status.textContent = 'Connecting…';
    try {
      broadcast = await goLiveRetrying({ denoise: denoise.checked, title: title.value.trim() || null });
    } catch (error) {
      reset(error.status === 409 ? 'You are already live (in another tab?).' : error.message, { lost: lostAt !== null });
      return;
    }
    lostAt = null;
    const started = Date.parse(broadcast.startedAt);
    goButton.hidden = true;
    stopButton.hidden = false;
    details.hidden = false;
    status.textContent = broadcast.denoise ? 'You are live (noise removal on).' : 'You are live.';
    listeners.textContent = listenerText(0);
    denoiserInfo.textContent = '…';
    recordingInfo.textContent = '…';
    stopMeter = meterMicrophone(broadcast.microphone, level);
    const tick = () => { elapsed.textContent = formatElapsed(Date.now() - started); };
    tick();
    timers.push(setInterval(tick, 1000));
    timers.push(setInterval(async () => {
      try {
        const stats = await streamStats(me);
        if (stats) {
          listeners.textContent = listenerText(stats.listeners);
          denoiserInfo.textContent = denoiserText(stats);
          const recording = await recordingState(broadcast.sessionId);
          if (recording && broadcast) {
            recordingInfo.textContent = recording.text;
            recordingNote.textContent = recording.note ?? '';
            recordingNote.hidden = !recording.note;
          }
        } else lose('Your stream ended.');
      } catch (error) {
        // 503: the gateway says the media server holding the stream is gone. Anything else: keep the last figures.
        if (error.status === 503) lose('Your stream stopped: the media server carrying it was lost. What was recorded is kept.');
      }
    }, STATS_EVERY_MS));
    const connection = broadcast.pc;
    connection.addEventListener('connectionstatechange', () => {
      if (broadcast?.pc === connection && (connection.connectionState === 'failed' || connection.connectionState === 'closed')) {
        lose('The connection dropped; your stream ended.');
      }
    });
  });

  stopButton.addEventListener('click', async () => {
    const ending = broadcast;
    broadcast = null; // a stats tick meanwhile must not take the stop for a loss
    stopButton.disabled = true;
    const summary = ending ? await ending.stop() : null;
    stopButton.disabled = false;
    reset(summary ? `Stream ended after ${formatElapsed(summary.durationSeconds * 1000)}.` : 'Stream ended.');
  });
}

function renderListener(section, username) {
  const status = el('p', { id: 'live-status', class: 'live-status', role: 'status' }, `${username} is not live.`);
  const listenButton = el('button', { type: 'button', id: 'live-listen', class: 'button button-primary button-large', hidden: true }, 'Listen');
  const stopButton = el('button', { type: 'button', id: 'live-stop', class: 'button button-large', hidden: true }, 'Stop');
  const volume = el('input', { type: 'range', id: 'live-volume', class: 'volume', min: '0', max: '1', step: '0.05', value: '1' });
  const listeners = el('span', { id: 'live-listeners' }, '');
  const denoiserInfo = el('span', { id: 'live-denoiser' }, '');
  // Cleaned / Original for a denoised stream: the server switches tracks on the same connection.
  const trackChoice = (value, text) => el('label', {},
    el('input', { type: 'radio', name: 'live-track', id: `live-track-${value}`, value, checked: value === 'processed' }), el('span', {}, text));
  const trackSwitch = el('fieldset', { class: 'segmented', id: 'live-track', hidden: true },
    el('legend', { class: 'visually-hidden' }, 'What you hear'), trackChoice('processed', 'Cleaned'), trackChoice('original', 'Original'));
  const chosenTrack = () => trackSwitch.querySelector('input:checked')?.value ?? 'processed';
  trackSwitch.addEventListener('change', async () => {
    if (!listening) return;
    try {
      await listening.setTrack(chosenTrack());
      status.textContent = `Listening to ${username} (${chosenTrack() === 'original' ? 'original' : 'cleaned'}).`;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  // Shown only while there is something to listen to: no orphan Volume slider under "… is not live."
  const controls = el('div', { id: 'live-controls', class: 'live-card', hidden: true },
    el('div', { class: 'live-actions' }, listenButton, stopButton,
      el('label', { class: 'volume-label', for: 'live-volume' }, el('span', {}, 'Volume'), volume), trackSwitch),
    el('p', { class: 'live-meta' }, listeners, ' · ', el('span', {}, 'added delay '), denoiserInfo));
  section.append(el('h2', { id: 'live-heading' }, 'Live'), status, controls);

  let listening = null;
  let live = null;
  // The person asked to listen and has not pressed Stop: when the stream is interrupted (its server lost, the
  // connection failed), listen again as soon as the friend is live again (the page was clicked once, so the browser
  // lets it play). A stream that simply ended is not followed into the next one.
  let wanted = false;
  let connecting = false;
  const show = () => {
    controls.hidden = !live && !listening;
    trackSwitch.hidden = !live?.denoise;
    listenButton.hidden = !live || !!listening;
    stopButton.hidden = !listening;
    listeners.textContent = live ? listenerText(live.listeners) : '';
    denoiserInfo.textContent = live ? denoiserText(live) : '';
  };
  const stopListening = async (message) => {
    const ending = listening;
    listening = null;
    if (ending) await ending.stop();
    status.textContent = message;
    show();
  };

  const waitingNote = () => (wanted ? ' You will hear them again when they are back.' : '');

  const startListening = async () => {
    if (connecting || listening) return;
    connecting = true;
    listenButton.disabled = true;
    status.textContent = 'Connecting…';
    try {
      const started = await listen(username, { volume: Number(volume.value) });
      listening = started;
      listening.sessionId = live?.sessionId ?? null;
      if (chosenTrack() !== 'processed') await listening.setTrack(chosenTrack());
      status.textContent = `Listening to ${username}.`;
      started.pc.addEventListener('connectionstatechange', async () => {
        const state = started.pc.connectionState;
        if (listening !== started || (state !== 'failed' && state !== 'closed')) return;
        // Ended, lost, or only this connection failed: the stats say which (refresh listens again if still live).
        await stopListening(`${username}'s stream was interrupted.${waitingNote()}`);
        await refresh();
      });
    } catch (error) {
      // Not live (404) or its server lost or full (503): wait for the next chance. Anything else needs the person.
      if (error.status !== 404 && error.status !== 503) wanted = false;
      status.textContent = error.status === 404 ? `${username} is not live any more.${waitingNote()}` : error.message;
    } finally {
      connecting = false;
      listenButton.disabled = false;
      show();
    }
  };

  const refresh = async () => {
    try {
      const before = live;
      live = await streamStats(username);
      if (listening && live && listening.sessionId && live.sessionId !== listening.sessionId) {
        // Live again with a new stream while this connection still waits on the old one (its server was lost).
        await stopListening(`${username} is live again.`);
      }
      if (!live && (listening || before)) {
        // Ended while heard or last seen live (they stopped it): not followed into their next stream. A lost server is
        // a 503 (below) first, which forgets `live`.
        wanted = false;
        if (listening) await stopListening(`${username}'s stream ended.`);
        else status.textContent = `${username}'s stream ended.`;
      } else if (live && !listening && wanted) await startListening();
      else if (live && !listening) status.textContent = `${username} is live${live.title ? `: ${live.title}` : ''}.`;
      show();
    } catch (error) {
      if (error.status === 403) {
        wanted = false;
        status.textContent = `Only ${username}'s friends can listen.`;
        clearInterval(refreshTimer);
        live = null;
        if (listening) await stopListening(status.textContent);
      } else if (error.status === 503) {
        // The media server holding the stream was lost; the stream is ending. Listen again when it is back.
        live = null;
        if (listening) await stopListening(`${username}'s stream was interrupted (its media server was lost).${waitingNote()}`);
        show();
      }
    }
  };

  listenButton.addEventListener('click', () => {
    wanted = true;
    startListening();
  });
  stopButton.addEventListener('click', () => {
    wanted = false;
    stopListening('Stopped listening.');
  });
  volume.addEventListener('input', () => { if (listening) listening.audio.volume = Number(volume.value); });

  const refreshTimer = setInterval(refresh, STATS_EVERY_MS);
  refresh();
  // user.js forwards the presence socket's word that this friend went live or stopped: look at once.
  document.addEventListener('live-status-changed', (event) => {
    if (event.detail.username.toLowerCase() === username.toLowerCase()) refresh();
  });
}

async function init() {
  const section = document.querySelector('section#live');
  const match = location.pathname.match(/^\/user\/([^/]+)\/?$/);
  if (!section || !match) return;
  const username = decodeURIComponent(match[1]);
  const me = await fetch('/api/identity/me', { credentials: 'same-origin' }).then(r => (r.ok ? r.json() : null));
  if (!me) return;
  section.replaceChildren();
  if (me.username.toLowerCase() === username.toLowerCase()) renderBroadcaster(section, me.username);
  else renderListener(section, username);
}

init();
