/**
 * Links other Kirimin clients and push messages use:
 * `/app?chat={id}` opens that chat (a group id, or a user id for the
 * one-to-one chat), `/app?user={id}` that user's profile, and
 * `/app?invite={link}` the join dialog of that invite link.
 */

import { api, errorText } from './api.js';
import { notice } from './dom.js';
import { state, chatKey, changed } from './state.js';
import { GLOBAL_ID, GLOBAL_KEY } from './global.js';
import { openDirect } from './profile.js';
import { showJoinDialog } from './joindialog.js';

/** Finds a user by id through search (the API has no lookup by id). */
async function findUser(id) {
  try {
    const data = await api.search(id);
    return data.users.find((u) => u.id === id) || null;
  } catch (err) {
    if (err.msg === 'FIND_NOTFOUND') return null;
    throw err;
  }
}

/** The link code of an invite given as a code or as a whole invite URL. */
export function inviteCode(value) {
  const text = value.trim();
  const match = text.match(/\/invite\/([^/?#]+)/);
  return match ? decodeURIComponent(match[1]) : text;
}

async function openChatLink(id, openChat) {
  if (id === GLOBAL_ID) return openChat(GLOBAL_KEY);
  for (const key of [chatKey('group', id), chatKey('user', id)]) {
    if (state.chats.has(key)) return openChat(key);
  }
  const user = await findUser(id);
  if (!user) { notice('That chat was not found.'); return null; }
  return openDirect(user);
}

async function openUserLink(id) {
  if (id === state.me.id) {
    state.panel = 'profile';
    changed('panel');
    return;
  }
  const user = await findUser(id);
  if (!user) { notice('That user was not found.'); return; }
  state.viewUser = user;
  state.panel = 'user';
  changed('panel');
}

/**
 * Handles `?chat`, `?user` or `?invite` of the page's address once, then
 * removes them from the address (a reload does not repeat them).
 */
export async function openFromLink(openChat) {
  const params = new URLSearchParams(location.search);
  const chat = params.get('chat');
  const user = params.get('user');
  const invite = params.get('invite');
  if (chat === null && user === null && invite === null) return;
  history.replaceState(null, '', location.pathname + location.hash);
  try {
    if (chat) await openChatLink(chat, openChat);
    else if (user) await openUserLink(user);
    else if (invite) await showJoinDialog(inviteCode(invite), openChat);
  } catch (err) {
    notice(errorText(err));
  }
}
