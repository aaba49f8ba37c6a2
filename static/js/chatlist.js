/** The list of chats: groups and one-to-one chats with their latest message. */

import { $, h, fill } from './dom.js';
import { state, nameOf, unreadCount } from './state.js';
import { callText } from './message.js';
import { GLOBAL_KEY, isGlobal } from './global.js';

/** One-line preview of a message. */
export function preview(chat, msg) {
  if (!msg) return 'No messages yet';
  const who = msg.userid === state.me?.id ? 'You' : nameOf(chat, msg.userid);
  if (msg.type === 'deleted') return `${who}: message deleted`;
  if (msg.type === 'image') return `${who}: 🖼 image${msg.text ? ` ${msg.text}` : ''}`;
  if (msg.type === 'call') return callText(msg);
  if (msg.type !== 'text') return `${who}: ${msg.type}`;
  return `${who}: ${msg.text}`;
}

/** Picture URL of a chat's room, or null. */
export function roomImage(r) {
  if (!r.image) return null;
  return r.type === 'group' ? `/file/group/${encodeURIComponent(r.image)}` : `/file/user/${encodeURIComponent(r.image)}`;
}

/** Display name of a chat. */
export const roomName = (r) => r.long || r.short || r.id;

/** The "Global" entry above the chats: the room of everyone on the server. */
function globalItem(open) {
  const chat = state.chats.get(GLOBAL_KEY);
  const last = chat?.m[chat.m.length - 1];
  return h('li', { class: 'global-entry' },
    h('button', {
      type: 'button',
      id: 'global-entry',
      class: `chat-item global${state.current === GLOBAL_KEY ? ' active' : ''}`,
      'data-key': GLOBAL_KEY,
      'data-name': 'Global',
      onClick: () => open(GLOBAL_KEY),
    },
    h('span', { class: 'avatar globe', 'aria-hidden': 'true', text: 'G' }),
    h('span', { class: 'who' },
      h('span', { class: 'name', text: 'Global' }),
      h('span', { class: 'last', text: last ? preview(chat, last) : 'Everyone on this server' }))));
}

/** Renders the list, newest activity first; `open(key)` opens a chat. */
export function renderChatList(open) {
  const chats = [...state.chats.entries()]
    .filter(([, chat]) => !isGlobal(chat))
    .sort(([, a], [, b]) => lastTime(b) - lastTime(a));
  const items = chats.map(([key, chat]) => {
    const last = chat.m[chat.m.length - 1];
    const unread = unreadCount(chat);
    const img = roomImage(chat.r);
    return h('li', {},
      h('button', {
        type: 'button',
        class: `chat-item${key === state.current ? ' active' : ''}`,
        'data-key': key,
        'data-name': roomName(chat.r),
        onClick: () => open(key),
      },
      img ? h('img', { class: 'avatar', src: img, alt: '' }) : h('span', { class: 'avatar', 'aria-hidden': 'true' }),
      h('span', { class: 'who' },
        h('span', { class: 'name', text: roomName(chat.r) }),
        h('span', { class: 'last', text: preview(chat, last) })),
      unread ? h('span', { class: 'badge', text: unread, title: 'unread' }) : null));
  });
  if (!items.length) items.push(h('li', { class: 'muted', text: 'No chats yet: create a group or find friends.' }));
  fill($('chat-list'), globalItem(open), items);
}

function lastTime(chat) {
  const last = chat.m[chat.m.length - 1];
  return last ? last.timestamp : 0;
}
