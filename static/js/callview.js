/**
 * What calls look like: the incoming-call card (Accept / Decline) and the
 * in-call view (videos, status or running duration, mute, camera, hang up).
 * `#call-view[data-state]` is the peer connection's `connectionState`.
 */

import { $, h, fill } from './dom.js';

let actions = null;
let timer = null;
let shown = null;

/** Wires the buttons to `{accept, decline, hangup, mute, camera}`. */
export function wire(handlers) {
  actions = handlers;
  $('call-hangup').onclick = () => actions.hangup();
  $('call-mute').onclick = () => actions.mute();
  $('call-camera').onclick = () => actions.camera();
}

/** Shows the ringing dialog for a call from `name`. */
export function showIncoming(name, video) {
  const dialog = $('incoming-call');
  fill(dialog,
    h('h2', { text: video ? 'Incoming video call' : 'Incoming voice call' }),
    h('p', { id: 'incoming-call-from', class: 'call-from', text: name }),
    h('div', { class: 'row end' },
      h('button', { type: 'button', class: 'danger', text: 'Decline', onClick: () => actions.decline() }),
      h('button', { type: 'button', class: 'primary', text: 'Accept', onClick: () => actions.accept() })));
  // not modal: the chat stays usable while it rings
  if (!dialog.open) dialog.show();
}

/** Closes the ringing dialog. */
export function hideIncoming() {
  const dialog = $('incoming-call');
  if (dialog.open) dialog.close();
  fill(dialog);
}

/** Opens the in-call view for `call`. */
export function showCall(call) {
  shown = call;
  const el = $('call-view');
  el.hidden = false;
  el.classList.toggle('video', call.video);
  $('call-name').textContent = call.name;
  $('call-camera').hidden = !call.video;
  $('call-remote').srcObject = null;
  $('call-local').srcObject = null;
  clearInterval(timer);
  timer = setInterval(() => update(shown), 1000);
  update(call);
}

/** Shows my own camera (muted, mirrored by CSS). */
export function setLocal(stream, video) {
  const el = $('call-local');
  el.hidden = !video;
  el.srcObject = video ? stream : null;
}

/** Plays the other side's audio and video. */
export function setRemote(stream) {
  const el = $('call-remote');
  if (el.srcObject !== stream) el.srcObject = stream;
  el.play().catch(() => {});
}

/** m:ss (or h:mm:ss) of a duration in ms. */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = `${Math.floor((s % 3600) / 60)}`;
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Refreshes status, duration and button labels. */
export function update(call) {
  if (!call || call !== shown) return;
  const el = $('call-view');
  const pcState = call.pc ? call.pc.connectionState : 'new';
  el.dataset.state = pcState;
  el.dataset.phase = call.phase;
  let status;
  if (call.phase === 'calling') status = 'Calling…';
  else if (pcState === 'connected') status = clock(Date.now() - (call.since || Date.now()));
  else if (pcState === 'disconnected') status = 'Reconnecting…';
  else status = 'Connecting…';
  $('call-status').textContent = status;
  $('call-mute').textContent = call.muted ? 'Unmute' : 'Mute';
  $('call-mute').setAttribute('aria-pressed', call.muted ? 'true' : 'false');
  $('call-camera').textContent = call.cameraOff ? 'Camera on' : 'Camera off';
  $('call-camera').setAttribute('aria-pressed', call.cameraOff ? 'true' : 'false');
}

/** Closes the in-call view. */
export function hideCall() {
  shown = null;
  clearInterval(timer);
  const el = $('call-view');
  el.hidden = true;
  el.dataset.state = 'closed';
  $('call-remote').srcObject = null;
  $('call-local').srcObject = null;
}
