/**
 * The global room (id 696969): one room every signed-in user reads and
 * writes. It is not part of isUser; it is fetched with `get-global` when
 * first opened and kept fresh by its message signals afterwards. It has no
 * members list, no owner and no read receipts.
 */

import { api } from './api.js';
import { state, chatKey, putChat } from './state.js';

/** The global room's id (API.md section 8). */
export const GLOBAL_ID = '696969';
/** Its key in `state.chats`. */
export const GLOBAL_KEY = chatKey('group', GLOBAL_ID);

/** Whether a chat (or room object) is the global room. */
export const isGlobal = (chat) => {
  const r = chat?.r || chat;
  return Boolean(r) && r.type === 'group' && r.id === GLOBAL_ID;
};

/** Whether the global room was loaded (signals for it apply only then). */
export const globalLoaded = () => state.chats.has(GLOBAL_KEY);

/**
 * Fetches the last 100 messages of the global room into the state, keeping
 * older pages already loaded through history.
 */
export async function loadGlobal() {
  const data = await api.global();
  const old = state.chats.get(GLOBAL_KEY);
  putChat({ r: data.r, u: data.u, m: data.m });
  const chat = state.chats.get(GLOBAL_KEY);
  if (old) {
    const seen = new Set(chat.m.map((x) => x.id));
    const first = chat.m[0]?.timestamp ?? Infinity;
    const kept = old.m.filter((x) => !seen.has(x.id) && x.timestamp < first);
    chat.m = [...kept, ...chat.m];
    const known = new Set(chat.u.map((x) => x.id));
    chat.u = [...chat.u, ...old.u.filter((x) => !known.has(x.id))];
    chat.older = old.older || chat.older;
  }
  return chat;
}
