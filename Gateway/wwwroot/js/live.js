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
  constructor(status, message) {
    super(message);
    this.name = 'LiveError';
    this.status = status;
  }
}

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
  if (response.status !== 201) throw new LiveError(response.status, await problemTitle(response));
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
    throw new LiveError(created.status, await problemTitle(created));
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

/** Listens to a live friend over WHEP. Returns { pc, stream, audio, connectMs, stop() }; audio is a playing <audio>. */
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
  try {
    location = await negotiate(pc, `/api/media/whep/${encodeURIComponent(username)}`);
    await waitConnected(pc);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pc, stream, audio, connectMs: pc.connectMs, stop };
}

/** GET the stream's stats: the body, or null when not live (404). Throws a LiveError (403) for non-friends. */
export async function streamStats(username) {
  const response = await fetch(`/api/media/streams/${encodeURIComponent(username)}`, { credentials: 'same-origin' });
  if (response.status === 200) return response.json();
  if (response.status === 404) return null;
  throw new LiveError(response.status, await problemTitle(response));
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

/** How the stream is denoised and the delay that adds, from its stats; empty when noise removal is off. */
function denoiserText(stats) {
  const denoiser = stats?.denoiser;
  if (!denoiser || denoiser.mode === 'off') return '';
  if (denoiser.mode === 'pass-through') return 'noise removal unavailable';
  const how = denoiser.mode === 'stateful' ? 'frame by frame' : 'in chunks';
  return `noise removal ${how}, +${Math.round(denoiser.addedDelayMs)} ms`;
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
  const denoise = el('input', { type: 'checkbox', id: 'live-denoise', checked: true });
  const title = el('input', { type: 'text', id: 'live-title', maxlength: '200', placeholder: 'Title (optional)' });
  const goButton = el('button', { type: 'button', id: 'live-go' }, 'Go live');
  const stopButton = el('button', { type: 'button', id: 'live-stop', hidden: true }, 'Stop');
  const status = el('p', { id: 'live-status', role: 'status' }, 'You are not live.');
  const level = el('meter', { id: 'live-level', min: '0', max: '1', value: '0', title: 'Microphone level' });
  const elapsed = el('span', { id: 'live-elapsed' }, '');
  const listeners = el('span', { id: 'live-listeners' }, '');
  const denoiserInfo = el('span', { id: 'live-denoiser' }, '');
  const details = el('p', { hidden: true }, 'Mic ', level, ' · ', elapsed, ' · ', listeners, ' · ', denoiserInfo);
  section.append(
    el('h2', { id: 'live-heading' }, 'Live'),
    el('p', {}, el('label', {}, denoise, ' Remove background noise'), ' ', title),
    el('p', {}, goButton, ' ', stopButton),
    status,
    details);

  let broadcast = null;
  let timers = [];
  let stopMeter = null;

  const reset = (message) => {
    timers.forEach(clearInterval);
    timers = [];
    stopMeter?.();
    stopMeter = null;
    broadcast = null;
    goButton.hidden = false;
    goButton.disabled = false;
    stopButton.hidden = true;
    denoise.disabled = false;
    title.disabled = false;
    details.hidden = true;
    status.textContent = message;
  };

  goButton.addEventListener('click', async () => {
    goButton.disabled = true;
    denoise.disabled = true;
    title.disabled = true;
    status.textContent = 'Connecting…';
    try {
      broadcast = await goLive({ denoise: denoise.checked, title: title.value.trim() || null });
    } catch (error) {
      reset(error.status === 409 ? 'You are already live (in another tab?).' : error.message);
      return;
    }
    const started = Date.parse(broadcast.startedAt);
    goButton.hidden = true;
    stopButton.hidden = false;
    details.hidden = false;
    status.textContent = broadcast.denoise ? 'You are live (noise removal on).' : 'You are live.';
    listeners.textContent = listenerText(0);
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
        } else if (broadcast) reset('Your stream ended.');
      } catch { /* keep the last count */ }
    }, STATS_EVERY_MS));
    broadcast.pc.addEventListener('connectionstatechange', () => {
      if (broadcast && (broadcast.pc.connectionState === 'failed' || broadcast.pc.connectionState === 'closed')) {
        const ending = broadcast;
        reset('The connection dropped; your stream ended.');
        ending.stop();
      }
    });
  });

  stopButton.addEventListener('click', async () => {
    const ending = broadcast;
    stopButton.disabled = true;
    const summary = ending ? await ending.stop() : null;
    stopButton.disabled = false;
    reset(summary ? `Stream ended after ${formatElapsed(summary.durationSeconds * 1000)}.` : 'Stream ended.');
  });
}

function renderListener(section, username) {
  const status = el('p', { id: 'live-status', role: 'status' }, `${username} is not live.`);
  const listenButton = el('button', { type: 'button', id: 'live-listen', hidden: true }, 'Listen');
  const stopButton = el('button', { type: 'button', id: 'live-stop', hidden: true }, 'Stop');
  const volume = el('input', { type: 'range', id: 'live-volume', min: '0', max: '1', step: '0.05', value: '1', 'aria-label': 'Volume' });
  const listeners = el('span', { id: 'live-listeners' }, '');
  const denoiserInfo = el('span', { id: 'live-denoiser' }, '');
  section.append(
    el('h2', { id: 'live-heading' }, 'Live'),
    status,
    el('p', {}, listenButton, ' ', stopButton, ' ', el('label', {}, 'Volume ', volume), ' ', listeners, ' ', denoiserInfo));

  let listening = null;
  let live = null;
  const show = () => {
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

  const refresh = async () => {
    try {
      const before = live;
      live = await streamStats(username);
      if (!live && listening) await stopListening(`${username}'s stream ended.`);
      else if (!live && before) status.textContent = `${username}'s stream ended.`;
      else if (live && !listening) status.textContent = `${username} is live${live.title ? `: ${live.title}` : ''}.`;
      show();
    } catch (error) {
      if (error.status === 403) {
        status.textContent = `Only ${username}'s friends can listen.`;
        clearInterval(refreshTimer);
      }
    }
  };

  listenButton.addEventListener('click', async () => {
    listenButton.disabled = true;
    status.textContent = 'Connecting…';
    try {
      listening = await listen(username, { volume: Number(volume.value) });
      status.textContent = `Listening to ${username}.`;
      listening.pc.addEventListener('connectionstatechange', () => {
        const state = listening?.pc.connectionState;
        if (state === 'failed' || state === 'closed') stopListening(`${username}'s stream ended.`);
      });
    } catch (error) {
      status.textContent = error.status === 404 ? `${username} is not live any more.` : error.message;
    }
    listenButton.disabled = false;
    show();
  });
  stopButton.addEventListener('click', () => stopListening('Stopped listening.'));
  volume.addEventListener('input', () => { if (listening) listening.audio.volume = Number(volume.value); });

  const refreshTimer = setInterval(refresh, STATS_EVERY_MS);
  refresh();
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
