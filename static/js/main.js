/**
 * Entry point of /app: signs in when needed, loads isUser, keeps the socket
 * up, and re-renders the views when the state changes.
 */

import { api, ApiError, errorText } from './api.js';
import { $, notice } from './dom.js';
import { state, onChange, changed, resetChats, putChat, currentChat, chatKey } from './state.js';
import { connect } from './socket.js';
import { showSignIn } from './signin.js';
import { renderChatList, roomName } from './chatlist.js';
import { initChatView, renderChat, markRead } from './chatview.js';
import { renderGroupPanel } from './group.js';
import { renderProfilePanel } from './profile.js';
import { renderUserPanel } from './userpanel.js';
import { openFromLink } from './links.js';
import { applySignal } from './signals.js';
import { GLOBAL_KEY, isGlobal, globalLoaded, loadGlobal } from './global.js';
import { initPosts, renderPosts, resetPosts } from './posts.js';
import { initCalls, connectionLost } from './call.js';

let live = null;

/** Opens a chat by key (the global room is fetched on first open). */
async function openChat(key) {
  if (key === GLOBAL_KEY && !globalLoaded()) {
    try { await loadGlobal(); } catch (err) { notice(errorText(err)); return; }
  }
  state.current = key;
  state.posts = false;
  if (state.panel === 'group') state.panel = null;
  changed('open');
}

/** Shows the Posts view (or, with `false`, the chats again). */
function showPosts(on) {
  state.posts = on;
  changed('posts');
}

/** Renders the side panel for the current `state.panel`. */
function renderPanel() {
  const chat = currentChat();
  if (state.panel === 'group' && (!chat || chat.r.type !== 'group' || isGlobal(chat))) state.panel = null;
  $('panel').hidden = !state.panel;
  if (state.panel === 'group') renderGroupPanel(chat);
  else if (state.panel === 'profile') renderProfilePanel();
  else if (state.panel === 'user') renderUserPanel();
}

function render(what) {
  $('me-name').textContent = state.me ? `${state.me.displayname} (@${state.me.username})` : '';
  const chat = currentChat();
  // a chat hidden behind the Posts view is not being read
  if (chat && !state.posts) markRead(chat);
  renderChatList(openChat);
  renderChat();
  renderPosts();
  // panels hold forms: redraw them only when what they show changed
  const redraw = ['panel', 'me', 'open', 'all'];
  if (state.panel === 'group') redraw.push('members', 'chats');
  if (!state.panel || redraw.includes(what)) renderPanel();
  if (state.posts) history.replaceState(null, '', '#posts');
  else if (state.current) history.replaceState(null, '', `#${state.current}`);
  else if (location.hash) history.replaceState(null, '', location.pathname);
}

/** isUser: refreshes me and every chat; null when signed out. */
async function loadUser() {
  try {
    const data = await api.isUser();
    const before = [...state.chats.values()].filter((c) => c.r.type === 'group');
    state.me = data.me;
    state.peer = data.peer || null;
    state.publicKey = data.publicKey || null;
    resetChats(data.c);
    // what was said in Global while the socket was down
    if (globalLoaded()) await loadGlobal().catch(() => {});
    // groups lost while the socket was down (kick or disband signal missed)
    const lost = before.filter((c) => !state.chats.has(chatKey('group', c.r.id)));
    if (lost.length) notice(`You are no longer a member of ${lost.map((c) => `"${roomName(c.r)}"`).join(', ')}.`, { sticky: true });
    changed('all');
    return data.socket;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      signedOut();
      return null;
    }
    throw err;
  }
}

function signedOut() {
  connectionLost();
  live?.stop();
  wasOnline = false;
  $('offline-banner').hidden = true;
  live = null;
  state.me = null;
  state.chats = new Map();
  state.current = null;
  state.panel = null;
  state.posts = false;
  resetPosts();
  renderPosts();
  showSignIn(start);
}

let wasOnline = false;

function setStatus(status) {
  const el = $('conn');
  el.textContent = status;
  el.className = `conn ${status}`;
  // a clear banner while the connection is being re-established
  if (status === 'online') wasOnline = true;
  else connectionLost();
  $('offline-banner').hidden = status === 'online' || !(wasOnline || status === 'offline');
  // reads done while offline are reported now
  if (status === 'online') changed('messages');
}

/** After sign-in: load, connect, show. */
async function start() {
  const wanted = decodeURIComponent(location.hash.slice(1));
  let socket;
  try {
    socket = await loadUser();
  } catch (err) {
    $('signin').hidden = false;
    $('signin-error').textContent = errorText(err);
    return;
  }
  if (!socket) return;
  // back to the invite page that sent a signed-out visitor here
  const next = new URLSearchParams(location.search).get('next');
  if (next && /^\/invite\/[^/]+$/.test(next)) { location.assign(next); return; }
  $('app').hidden = false;
  if (wanted && (state.chats.has(wanted) || wanted === GLOBAL_KEY)) openChat(wanted);
  let first = true;
  live = connect({
    // the first connection reuses the isUser above; every reconnect asks again
    fetchSocket: async () => {
      if (first) { first = false; return socket; }
      return loadUser();
    },
    onSignal: (signal) => { window.kirimin.applied += 1; applySignal(signal); },
    onStatus: setStatus,
  });
  initChatView(live, () => { state.panel = state.panel === 'group' ? null : 'group'; changed('panel'); });
  initPosts(live);
  initCalls(live);
  if (wanted === 'posts') showPosts(true);
  // /app?chat=, ?user=, ?invite= (links of other clients and push messages)
  openFromLink(openChat);
  // test hook and debugging aid: force a socket drop, count applied signals
  window.kirimin = { drop: () => live?.drop(), applied: 0 };
}

function wireStatic() {
  onChange(render);
  $('notice-close').onclick = () => { $('notice').hidden = true; };
  $('panel-close').onclick = () => { state.panel = null; changed('panel'); };
  const toggleProfile = () => { state.panel = state.panel === 'profile' ? null : 'profile'; changed('panel'); };
  $('me-button').onclick = toggleProfile;
  $('friends-button').onclick = toggleProfile;
  $('posts-button').onclick = () => showPosts(true);
  $('posts-back').onclick = () => showPosts(false);
  $('new-group').onsubmit = async (ev) => {
    ev.preventDefault();
    const input = $('new-group-name');
    $('new-group-error').textContent = '';
    try {
      const data = await api.createGroup(input.value);
      input.value = '';
      putChat(data.group);
      state.current = chatKey('group', data.roomid);
      state.panel = 'group';
      changed('open');
    } catch (err) { $('new-group-error').textContent = errorText(err); }
  };
  document.addEventListener('visibilitychange', () => { if (!document.hidden) changed('messages'); });
}

wireStatic();
start();
