/**
 * Applies server signals (already de-duplicated by key) to the state.
 *
 * memberkick: the signal looks the same for a kick and a disband (`from` is
 * the owner either way). Rule: if I am the owner, it is a disband from my
 * other tab. Otherwise the client asks the invite preview of the link it
 * knows: `GRPS_404` means the group is gone (disbanded), anything else means
 * the group lives on without me (removed). A link the owner reset meanwhile
 * also answers GRPS_404, so a member removed after a reset they never saw
 * is told the group was disbanded: the API offers no way to tell.
 */

import { api } from './api.js';
import { notice } from './dom.js';
import { state, chatKey, changed, upsertMessage, mergeUsers, putChat, removeMember } from './state.js';
import { dropGroup } from './group.js';
import { updateUser } from './profile.js';
import { roomName } from './chatlist.js';
import { isGlobal, globalLoaded } from './global.js';
import { callSignal } from './call.js';

const CALL_SIGNALS = new Set(['offer', 'answer', 'candidate', 'reject', 'hangup', 'calloffline']);

/** The chat a message signal addresses (roomdata is as I address it). */
function messageChat(sig) {
  const r = sig.roomdata;
  if (!r) return null;
  // the global room is fetched whole when opened; until then its news waits
  if (isGlobal(r) && !globalLoaded()) return null;
  const key = chatKey(r.type, r.id);
  let chat = state.chats.get(key);
  if (!chat) {
    putChat({ r, u: sig.users || [], m: [] });
    chat = state.chats.get(key);
  }
  chat.r = { ...chat.r, ...r };
  mergeUsers(chat, sig.users);
  return chat;
}

/** Tells a removed user what happened to the group `chat`. */
async function explainKick(chat) {
  const name = roomName(chat.r);
  let gone = chat.r.owner === state.me.id;
  if (!gone && chat.r.link) {
    try { await api.invite(chat.r.link); } catch (err) { gone = err.msg === 'GRPS_404'; }
  }
  notice(gone
    ? `The group "${name}" was disbanded by its owner.`
    : `You were removed from the group "${name}" by its owner.`, { sticky: true });
}

const handlers = {
  memberjoin(sig) {
    const chat = state.chats.get(chatKey('group', sig.groupid));
    if (!chat || !sig.user) return;
    mergeUsers(chat, [sig.user]);
    changed('members');
  },
  memberleave(sig) {
    const chat = state.chats.get(chatKey('group', sig.groupid));
    if (!chat) return;
    if (sig.from === state.me.id) { dropGroup(sig.groupid); return; }
    removeMember(chat, sig.from);
    changed('members');
  },
  async memberkick(sig) {
    const chat = state.chats.get(chatKey('group', sig.groupid));
    if (!chat) return;
    dropGroup(sig.groupid);
    await explainKick(chat);
  },
  sendmessage(sig) {
    const chat = messageChat(sig);
    if (!chat || !sig.chat) return;
    upsertMessage(chat, sig.chat);
    changed('messages');
  },
  editmessage(sig) { handlers.sendmessage(sig); },
  deletemessage(sig) { handlers.sendmessage(sig); },
  clearhistory(sig) {
    for (const type of ['group', 'user']) {
      const chat = state.chats.get(chatKey(type, sig.roomid));
      if (chat) { chat.m = []; chat.older = false; }
    }
    changed('messages');
  },
  readAllMessages(sig) {
    // roomid is the group, or (one-to-one) the reader as I address them
    const chat = state.chats.get(chatKey('group', sig.roomid)) || state.chats.get(chatKey('user', sig.roomid));
    if (!chat) return;
    // remembered briefly: the answer to my own send may arrive after this
    chat.reads = [...(chat.reads || []).slice(-20), { from: sig.from, at: Date.now() }];
    for (const msg of chat.m) {
      if (msg.userid !== sig.from && !(msg.readers || []).includes(sig.from)) {
        msg.readers = [...(msg.readers || []), sig.from];
      }
    }
    changed('messages');
  },
  addfriend(sig) {
    if (!sig.user) return;
    updateUser(sig.user);
    const who = sig.user.displayname || sig.user.username;
    notice(sig.user.isFriend === 1 ? `You and ${who} are now friends.` : `${who} sent you a friend request.`);
  },
  acceptfriend(sig) {
    if (!sig.user) return;
    updateUser(sig.user);
    notice(`${sig.user.displayname || sig.user.username} accepted your friend request.`);
  },
  cancelfriend(sig) { if (sig.user) updateUser(sig.user); },
  ignorefriend(sig) { if (sig.user) updateUser(sig.user); },
  unfriend(sig) { if (sig.user) updateUser(sig.user); },
};

/** Applies one signal; unknown types are ignored. */
export function applySignal(sig) {
  if (CALL_SIGNALS.has(sig.type)) { callSignal(sig); return; }
  const fn = handlers[sig.type];
  if (fn) fn(sig);
}
