/**
 * The open chat: header, message list (older messages on scroll through
 * `history`), the composer with replies, edits and images, and read state.
 */

import { api, errorText } from './api.js';
import { $, h, fill, readDataUrl, notice } from './dom.js';
import { state, currentChat, upsertMessage, mergeUsers, changed, unreadCount } from './state.js';
import { renderMessage, snippet } from './message.js';
import { roomName } from './chatlist.js';
import { dropGroup } from './group.js';
import { isGlobal } from './global.js';
import { startCall, inCall } from './call.js';

const PAGE = 50;
/** What the composer does next: null (new message), or {kind: 'reply'|'edit', msg}. */
let mode = null;
let shownKey = null;
let live = null;

/** Wires the composer and the scroll handler; `socket` sends client frames. */
export function initChatView(socket, openGroupPanel) {
  const first = !live;
  live = socket;
  if (!first) return;
  $('composer').onsubmit = (ev) => { ev.preventDefault(); submit(); };
  $('compose-extra-cancel').onclick = () => setMode(null);
  $('image-input').onchange = sendImage;
  $('info-button').onclick = openGroupPanel;
  $('voice-call-button').onclick = () => callPeer(false);
  $('video-call-button').onclick = () => callPeer(true);
  $('back').onclick = () => { state.current = null; changed('open'); };
  $('messages').addEventListener('scroll', () => {
    if ($('messages').scrollTop < 60) loadOlder();
  });
}

/** The other user of the open one-to-one chat when we are friends (calls). */
function callablePeer(chat) {
  if (!chat || chat.r.type !== 'user') return null;
  if (state.friends.get(String(chat.r.id)) !== 1) return null;
  return chat.u.find((x) => String(x.id) === String(chat.r.id)) || { id: chat.r.id, username: chat.r.short, displayname: chat.r.long };
}

function callPeer(video) {
  const peer = callablePeer(currentChat());
  if (peer && !inCall()) startCall(peer, video);
}

function setMode(next) {
  mode = next;
  const bar = $('compose-extra');
  bar.hidden = !mode;
  if (mode) {
    $('compose-extra-text').textContent = mode.kind === 'edit'
      ? `Editing: ${snippet(mode.msg)}`
      : `Replying to: ${snippet(mode.msg)}`;
    if (mode.kind === 'edit') $('message-input').value = mode.msg.text;
    $('message-input').focus();
  }
}

function fail(err) {
  const chat = currentChat();
  // removed while the signal was missed: forget the group like memberkick would
  if (err.msg === 'GRP_KICKED' && chat?.r.type === 'group' && !isGlobal(chat)) {
    dropGroup(chat.r.id);
    notice(`You are no longer a member of "${roomName(chat.r)}".`, { sticky: true });
    return;
  }
  $('send-error').textContent = errorText(err);
}

/**
 * Applies a `{chat, roomdata, users}` answer of sendMessage/delMessage.
 * A read signal can overtake the answer (the others get the message first):
 * readers seen since `started` count for the new message too.
 */
function applyAnswer(chat, data, started = Infinity) {
  if (data.users) mergeUsers(chat, data.users);
  if (data.chat) {
    const late = (chat.reads || []).filter((x) => x.at >= started).map((x) => x.from);
    const readers = new Set([...(data.chat.readers || []), ...late]);
    upsertMessage(chat, { ...data.chat, readers: [...readers] });
  }
  changed('messages');
}

async function submit() {
  const chat = currentChat();
  if (!chat) return;
  const input = $('message-input');
  const text = input.value;
  $('send-error').textContent = '';
  const body = { text };
  if (mode?.kind === 'edit') body.edit = mode.msg.id;
  if (mode?.kind === 'reply') body.reply = mode.msg.id;
  const started = Date.now();
  try {
    const data = await api.send(chat.r.type, chat.r.id, body);
    input.value = '';
    setMode(null);
    applyAnswer(chat, data, body.edit ? Infinity : started);
    scrollToEnd();
  } catch (err) { fail(err); }
}

async function sendImage(ev) {
  const chat = currentChat();
  const file = ev.target.files[0];
  ev.target.value = '';
  if (!chat || !file) return;
  $('send-error').textContent = '';
  try {
    const filesrc = await readDataUrl(file);
    const body = { type: 'image', text: '', filename: file.name, filesrc };
    if (mode?.kind === 'reply') body.reply = mode.msg.id;
    const started = Date.now();
    const data = await api.send(chat.r.type, chat.r.id, body);
    setMode(null);
    applyAnswer(chat, data, started);
    scrollToEnd();
  } catch (err) { fail(err); }
}

async function removeMessage(msg) {
  const chat = currentChat();
  if (!chat || !window.confirm('Delete this message for everyone?')) return;
  try {
    applyAnswer(chat, await api.remove(chat.r.type, chat.r.id, msg.id));
  } catch (err) { fail(err); }
}

/** Fetches the page of messages before the oldest one shown. */
async function loadOlder() {
  const chat = currentChat();
  if (!chat || !chat.older || chat.loading || !chat.m.length) return;
  chat.loading = true;
  try {
    const data = await api.history(chat.r.type, chat.r.id, chat.m[0].id, PAGE);
    const known = new Set(chat.m.map((x) => x.id));
    chat.m = [...data.m.filter((x) => !known.has(x.id)), ...chat.m];
    if (data.m.length < PAGE) chat.older = false;
  } catch (err) {
    chat.older = false;
    fail(err);
  } finally {
    chat.loading = false;
  }
  changed('messages');
}

function scrollToEnd() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

/** Tells the server (and the other members) that I read this chat. */
export function markRead(chat) {
  // the global room has no read receipts: never report reads there
  if (!chat || isGlobal(chat) || !unreadCount(chat) || document.hidden) return;
  // offline: try again when the socket is back (main re-renders then)
  if (!live?.send({ type: 'readAllMessages', roomid: chat.r.id, roomtype: chat.r.type })) return;
  for (const msg of chat.m) {
    if (msg.userid !== state.me.id && !(msg.readers || []).includes(state.me.id)) {
      msg.readers = [...(msg.readers || []), state.me.id];
    }
  }
}

/** Renders the open chat (or the empty state). */
export function renderChat() {
  const chat = currentChat();
  const list = $('messages');
  $('app').classList.toggle('chat-open', Boolean(chat));
  $('composer').hidden = !chat;
  $('info-button').hidden = !chat || chat.r.type !== 'group' || isGlobal(chat);
  $('voice-call-button').hidden = !callablePeer(chat);
  $('video-call-button').hidden = !callablePeer(chat);
  if (!chat) {
    $('chat-title').textContent = 'Pick a chat';
    fill(list);
    shownKey = null;
    setMode(null);
    return;
  }
  $('chat-title').textContent = roomName(chat.r);
  const switched = shownKey !== state.current;
  if (switched) { setMode(null); $('send-error').textContent = ''; }
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  const fromEnd = list.scrollHeight - list.scrollTop;

  const actions = { reply: (msg) => setMode({ kind: 'reply', msg }), edit: (msg) => setMode({ kind: 'edit', msg }), remove: removeMessage };
  const items = chat.m.map((msg) => renderMessage(chat, msg, actions));
  if (chat.older) {
    items.unshift(h('li', { class: 'older' },
      h('button', { type: 'button', class: 'link', text: 'Load older messages', onClick: loadOlder })));
  } else if (!chat.m.length) {
    items.push(h('li', { class: 'older', text: 'No messages yet. Say hello!' }));
  } else {
    items.unshift(h('li', { class: 'older', text: 'Beginning of the chat' }));
  }
  fill(list, items);
  shownKey = state.current;
  if (switched || atEnd) scrollToEnd();
  else list.scrollTop = list.scrollHeight - fromEnd;
}
