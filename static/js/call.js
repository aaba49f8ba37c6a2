/**
 * Voice and video calls between friends: WebRTC peer connections (with
 * isUser's `peer` as RTCConfiguration) signalled through the socket with the
 * call frames `offer`, `answer`, `candidate`, `reject` and `hangup`.
 *
 * One call at a time. An offer arriving while in a call (or while another
 * one rings) is not shown: it rings out on the server and reads "Missed
 * call". Candidates that arrive before the remote description is set wait in
 * `pending`; my own candidates wait in `out` until my offer or answer is sent.
 */

import { notice } from './dom.js';
import { state } from './state.js';
import * as view from './callview.js';

let live = null;
/**
 * The call in progress: `{peer, name, video, role: 'caller'|'callee',
 * phase: 'calling'|'connecting', callKey, pc, stream, pending, out, sent,
 * remoteSet, since}`; null when none.
 */
let call = null;
/** The incoming offer being shown (relay plus `candidates`), or null. */
let incoming = null;

const same = (a, b) => a !== undefined && a !== null && String(a) === String(b);
/** The user a call signal is from: relays carry `uid`, keyed signals `from`. */
const senderOf = (sig) => (sig.uid !== undefined ? sig.uid : sig.from);
const nameOf = (user, id) => user?.displayname || user?.username || `User ${id}`;

/** Wires the call views; `socket` sends client frames. */
export function initCalls(socket) {
  const first = !live;
  live = socket;
  if (first) view.wire({ accept, decline, hangup: () => hangup(), mute: toggleMute, camera: toggleCamera });
}

/** Whether a call is being placed, ringing here or going on. */
export const inCall = () => Boolean(call || incoming);

/** Calls `user` (a friend) with voice, or video when `video` is true. */
export async function startCall(user, video) {
  if (call || incoming) return;
  const mine = { peer: user.id, name: nameOf(user, user.id), video, role: 'caller', phase: 'calling', pending: [], out: [] };
  call = mine;
  view.showCall(call);
  if (!(await openMedia(mine))) return;
  try {
    const pc = makePc(mine);
    await pc.setLocalDescription(await pc.createOffer());
    if (call !== mine) return;
    if (!live.send({ type: 'offer', to: user.id, sdp: pc.localDescription.toJSON(), video })) {
      end('You are offline: the call was not placed.');
      return;
    }
    flushOut(mine);
  } catch (err) {
    end(`The call could not start: ${err.message}`);
  }
}

/** Ends the call I am in, telling the other side. */
export function hangup(reason = '') {
  if (!call) return;
  live?.send({ type: 'hangup', to: call.peer });
  end(reason);
}

/** The connection dropped: the server ends calls of a closed socket. */
export function connectionLost() {
  if (incoming) { incoming = null; view.hideIncoming(); }
  if (call) end('The call ended: connection lost.');
}

/** Handles a call signal (offer, answer, candidate, reject, hangup, calloffline). */
export function callSignal(sig) {
  const from = senderOf(sig);
  switch (sig.type) {
    case 'offer':
      if (call || incoming || !sig.sdp) return;
      incoming = { ...sig, candidates: [] };
      view.showIncoming(nameOf(sig.user, from), Boolean(sig.video));
      return;
    case 'answer':
      if (call?.role === 'caller' && call.phase === 'calling' && same(from, call.peer)) onAnswer(call, sig);
      return;
    case 'candidate':
      if (!sig.candidate) return;
      if (call && same(from, call.peer)) addCandidate(call, sig.candidate);
      else if (incoming && same(from, senderOf(incoming))) incoming.candidates.push(sig.candidate);
      return;
    case 'reject':
      if (call?.role === 'caller' && same(from, call.peer)) end(`${call.name} declined the call.`);
      return;
    case 'calloffline':
      if (call?.role === 'caller' && same(from, call.peer)) end(`${call.name} is offline.`);
      return;
    case 'hangup':
      if (incoming && (sig.callKey ? sig.callKey === incoming.callKey : same(from, senderOf(incoming)))) {
        incoming = null;
        view.hideIncoming();
      } else if (call && same(from, call.peer) && (!sig.callKey || !call.callKey || sig.callKey === call.callKey)) {
        end(call.since ? 'The call ended.' : `${call.name} hung up.`);
      }
      return;
    default:
  }
}

async function onAnswer(mine, sig) {
  mine.callKey = sig.callKey;
  mine.phase = 'connecting';
  mine.since = Date.now();
  view.update(mine);
  try {
    await mine.pc.setRemoteDescription(sig.sdp);
    flushPending(mine);
  } catch (err) {
    if (call === mine) hangup(`The call failed: ${err.message}`);
  }
}

async function accept() {
  const offer = incoming;
  if (!offer) return;
  incoming = null;
  view.hideIncoming();
  const peer = senderOf(offer);
  const mine = {
    peer, name: nameOf(offer.user, peer), video: Boolean(offer.video), role: 'callee', phase: 'connecting',
    callKey: offer.callKey, pending: [...offer.candidates], out: [],
  };
  call = mine;
  view.showCall(call);
  if (!(await openMedia(mine))) {
    live.send({ type: 'reject', to: peer, callKey: offer.callKey });
    return;
  }
  try {
    const pc = makePc(mine);
    await pc.setRemoteDescription(offer.sdp);
    flushPending(mine);
    await pc.setLocalDescription(await pc.createAnswer());
    if (call !== mine) return;
    live.send({ type: 'answer', to: peer, sdp: pc.localDescription.toJSON(), callKey: offer.callKey });
    mine.since = Date.now();
    flushOut(mine);
    view.update(mine);
  } catch (err) {
    if (call === mine) hangup(`The call failed: ${err.message}`);
  }
}

function decline() {
  if (!incoming) return;
  live.send({ type: 'reject', to: senderOf(incoming), callKey: incoming.callKey });
  incoming = null;
  view.hideIncoming();
}

/** Asks for microphone (and camera); false (call ended) when refused. */
async function openMedia(mine) {
  try {
    mine.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: mine.video });
  } catch (err) {
    if (call === mine) end(`No access to the ${mine.video ? 'camera or microphone' : 'microphone'}: ${err.message}`);
    return false;
  }
  if (call !== mine) {
    mine.stream.getTracks().forEach((t) => t.stop());
    return false;
  }
  view.setLocal(mine.stream, mine.video);
  return true;
}

function makePc(mine) {
  const pc = new RTCPeerConnection(state.peer || undefined);
  mine.pc = pc;
  for (const track of mine.stream.getTracks()) pc.addTrack(track, mine.stream);
  pc.onicecandidate = (ev) => {
    if (!ev.candidate || call !== mine) return;
    const frame = { type: 'candidate', to: mine.peer, candidate: ev.candidate.toJSON() };
    if (mine.sent) live.send(frame);
    else mine.out.push(frame);
  };
  pc.ontrack = (ev) => { if (call === mine) view.setRemote(ev.streams[0] || new MediaStream([ev.track])); };
  pc.onconnectionstatechange = () => {
    if (call !== mine) return;
    view.update(mine);
    if (pc.connectionState === 'failed') hangup('The call was lost: no connection between you.');
  };
  return pc;
}

function flushOut(mine) {
  mine.sent = true;
  for (const frame of mine.out.splice(0)) live.send(frame);
}

function addCandidate(mine, candidate) {
  if (!mine.remoteSet) { mine.pending.push(candidate); return; }
  mine.pc.addIceCandidate(candidate).catch(() => {});
}

function flushPending(mine) {
  mine.remoteSet = true;
  for (const c of mine.pending.splice(0)) mine.pc.addIceCandidate(c).catch(() => {});
}

function toggleMute() {
  if (!call?.stream) return;
  const tracks = call.stream.getAudioTracks();
  const muted = tracks.some((t) => t.enabled);
  tracks.forEach((t) => { t.enabled = !muted; });
  call.muted = muted;
  view.update(call);
}

function toggleCamera() {
  if (!call?.stream) return;
  const tracks = call.stream.getVideoTracks();
  const off = tracks.some((t) => t.enabled);
  tracks.forEach((t) => { t.enabled = !off; });
  call.cameraOff = off;
  view.update(call);
}

function end(reason) {
  const old = call;
  call = null;
  if (old) {
    old.pc?.close();
    old.stream?.getTracks().forEach((t) => t.stop());
  }
  view.hideCall();
  if (reason) notice(reason);
}
