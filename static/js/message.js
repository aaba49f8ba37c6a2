/** One message in the chat view: author, reply quote, text or image, meta, actions. */

import { h, timeOf } from './dom.js';
import { state, nameOf } from './state.js';
import { isGlobal } from './global.js';

/** Edits are allowed for 15 minutes after sending (the server's rule). */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** What a call message says: ringing, declined, missed, or how long it lasted. */
export function callText(msg) {
  const ms = Number(msg.duration);
  if (ms === -2) return '📞 Calling…';
  if (ms === -1) return '📞 Call declined';
  if (!(ms > 0)) return '📞 Missed call';
  const s = Math.round(ms / 1000);
  return `📞 Call · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Short text of a message for quotes and the reply bar. */
export function snippet(msg) {
  if (!msg) return 'an older message';
  if (msg.type === 'deleted') return 'message deleted';
  if (msg.type === 'call') return callText(msg);
  if (msg.type === 'image') return msg.text ? `🖼 ${msg.text}` : '🖼 image';
  if (msg.type !== 'text') return msg.type;
  return msg.text;
}

/** Media URL of a message's stored file, as this viewer addresses the chat. */
export function mediaUrl(chat, msg) {
  const enc = encodeURIComponent;
  return `/file/media/${enc(chat.r.type)}/${enc(chat.r.id)}/${enc(msg.source)}`;
}

/** Read state of my own message: who of the others has read it (none in Global). */
function readState(chat, msg) {
  if (isGlobal(chat)) return null;
  const readers = (msg.readers || []).filter((id) => id !== state.me.id);
  if (chat.r.type === 'user') return readers.length ? 'Read' : 'Sent';
  if (!readers.length) return 'Sent';
  const others = chat.u.filter((x) => x.id !== state.me.id).length;
  return readers.length >= others && others > 0 ? 'Read by all' : `Read by ${readers.length}`;
}

/**
 * Renders a message. `actions`: `{ reply(msg), edit(msg), remove(msg) }`.
 */
export function renderMessage(chat, msg, actions) {
  const mine = msg.userid === state.me.id;
  const deleted = msg.type === 'deleted';
  const classes = ['msg'];
  if (mine) classes.push('mine');
  if (deleted) classes.push('deleted');

  let quote = null;
  if (msg.reply && !deleted) {
    const target = chat.m.find((x) => x.id === msg.reply);
    const who = target ? nameOf(chat, target.userid) : '';
    quote = h('div', { class: 'quote', text: `${who ? `${who}: ` : '↩ '}${snippet(target)}` });
  }

  let body;
  if (deleted) body = h('div', { class: 'text', text: 'This message was deleted.' });
  else if (msg.type === 'call') body = h('div', { class: 'text call', text: callText(msg) });
  else if (msg.type === 'image' && msg.source) {
    body = h('div', {},
      h('img', { class: 'media', src: mediaUrl(chat, msg), alt: msg.text || 'image', loading: 'lazy' }),
      msg.text ? h('div', { class: 'text', text: msg.text }) : null);
  } else if (msg.type !== 'text' && msg.source) {
    body = h('a', { href: mediaUrl(chat, msg), target: '_blank', rel: 'noopener', text: `${msg.type} file` });
  } else body = h('div', { class: 'text', text: msg.text });

  const meta = h('div', { class: 'meta' },
    h('time', { datetime: new Date(msg.timestamp).toISOString(), text: timeOf(msg.timestamp) }),
    msg.edited && !deleted ? h('span', { class: 'edited', text: 'edited' }) : null,
    mine && !deleted && !isGlobal(chat) ? h('span', { class: 'read', text: readState(chat, msg) }) : null);

  let tools = null;
  if (!deleted) {
    const canEdit = mine && msg.type === 'text' && Date.now() - msg.timestamp < EDIT_WINDOW_MS;
    tools = h('div', { class: 'actions' },
      h('button', { type: 'button', text: 'Reply', onClick: () => actions.reply(msg) }),
      canEdit ? h('button', { type: 'button', text: 'Edit', onClick: () => actions.edit(msg) }) : null,
      mine ? h('button', { type: 'button', text: 'Delete', onClick: () => actions.remove(msg) }) : null);
  }

  return h('li', { class: classes.join(' '), 'data-id': msg.id },
    !mine && chat.r.type === 'group' ? h('div', { class: 'author', text: nameOf(chat, msg.userid) }) : null,
    quote, body, meta, tools);
}
