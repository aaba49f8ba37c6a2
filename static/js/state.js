/**
 * The client's in-memory state: who I am, every chat (room, members,
 * messages), the open chat, and a tiny change notification.
 */

export const state = {
  /** `data.me` of isUser. */
  me: null,
  /** key `type:id` → { r, u: [user], m: [message], older: bool, loading: bool } */
  chats: new Map(),
  /** key of the open chat, or null. */
  current: null,
  /** which side panel is open: null, 'group', 'profile' or 'user'. */
  panel: null,
  /** the user shown in the 'user' panel (a profile opened by link). */
  viewUser: null,
  /** whether the Posts view is shown instead of the open chat. */
  posts: false,
  /** user id (string) → `isFriend` as I see them (calls are for friends only). */
  friends: new Map(),
  /** isUser's `peer`: the RTCConfiguration for calls, or null. */
  peer: null,
  /** isUser's `publicKey`: the server's VAPID key for push, or null. */
  publicKey: null,
};

/** Key of a chat in `state.chats`. */
export const chatKey = (type, id) => `${type}:${id}`;

const listeners = new Set();

/** Registers a function called after every change (with the change's name). */
export function onChange(fn) { listeners.add(fn); }

/** Tells every listener that something changed. */
export function changed(what = 'all') {
  for (const fn of listeners) fn(what);
}

/** Adds or replaces one chat from a `{r, u, m}` triple (isUser, join, create). */
export function putChat({ r, u = [], m = [] }) {
  const key = chatKey(r.type, r.id);
  const old = state.chats.get(key);
  state.chats.set(key, {
    r,
    u,
    m: [...m],
    // isUser returns the last 100; a chat that full may have older ones.
    older: old ? old.older : m.length >= 100,
    loading: false,
  });
  return key;
}

/**
 * Remembers how I stand with `user` (`isFriend`). Kept apart from the chats'
 * member lists: message signals carry one `users` list for both sides.
 */
export function noteFriend(user) {
  if (user && user.id !== undefined && user.isFriend !== undefined) state.friends.set(String(user.id), user.isFriend);
}

/** Replaces every chat with the `c` list of isUser, keeping loaded history. */
export function resetChats(list) {
  const previous = state.chats;
  state.chats = new Map();
  for (const entry of list) {
    const key = putChat(entry);
    if (entry.r?.type === 'user') noteFriend((entry.u || []).find((x) => String(x.id) === String(entry.r.id)));
    const old = previous.get(key);
    const chat = state.chats.get(key);
    if (old && old.m.length && chat.m.length) {
      // keep older messages we had already fetched through history
      const first = chat.m[0].id;
      const idx = old.m.findIndex((x) => x.id === first);
      if (idx > 0) chat.m = [...old.m.slice(0, idx), ...chat.m];
      chat.older = old.older;
    }
  }
  for (const [key, old] of previous) {
    if (state.chats.has(key)) continue;
    // a one-to-one chat opened locally but not yet written to stays listed;
    // the global room is never part of isUser and stays as loaded
    const keep = (old.r.type === 'user' && old.m.length === 0) || (old.r.type === 'group' && old.r.id === '696969');
    if (keep) state.chats.set(key, old);
  }
  if (state.current && !state.chats.has(state.current)) state.current = null;
}

/** The open chat, or null. */
export const currentChat = () => (state.current ? state.chats.get(state.current) : null);

/** Adds or replaces a message in a chat (by id), keeping time order. */
export function upsertMessage(chat, msg) {
  const idx = chat.m.findIndex((x) => x.id === msg.id);
  if (idx >= 0) chat.m[idx] = msg;
  else {
    chat.m.push(msg);
    chat.m.sort((a, b) => a.timestamp - b.timestamp);
  }
}

/** Merges user objects into a chat's member list (by id). */
export function mergeUsers(chat, users = []) {
  for (const user of users) {
    const idx = chat.u.findIndex((x) => x.id === user.id);
    if (idx >= 0) chat.u[idx] = { ...chat.u[idx], ...user };
    else chat.u.push(user);
  }
}

/**
 * Removes a member from a group chat (left or kicked). Like the server, a
 * departed member no longer counts among the readers of its messages, so
 * the live "Read by" line agrees with what a reload shows.
 */
export function removeMember(chat, uid) {
  chat.u = chat.u.filter((x) => x.id !== uid);
  for (const msg of chat.m) {
    if ((msg.readers || []).includes(uid)) msg.readers = msg.readers.filter((x) => x !== uid);
  }
}

/** Display name of a user id within a chat (or of me). */
export function nameOf(chat, id) {
  if (state.me && id === state.me.id) return state.me.displayname || state.me.username;
  const user = chat?.u.find((x) => x.id === id);
  return user ? user.displayname || user.username : `User ${id}`;
}

/** Messages of a chat the signed-in user has not read. */
export function unreadCount(chat) {
  const me = state.me?.id;
  return chat.m.filter((x) => x.userid !== me && x.type !== 'deleted' && !(x.readers || []).includes(me)).length;
}

/** Whether I own this group. */
export const isOwner = (chat) => chat?.r.type === 'group' && chat.r.owner === state.me?.id;
