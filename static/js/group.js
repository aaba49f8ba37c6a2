/**
 * The group panel: picture, invite link (copy, reset), rename, members with
 * Kick buttons for the owner, clear history, leave, and disband (owner).
 */

import { api, errorText } from './api.js';
import { $, h, fill, readDataUrl, notice } from './dom.js';
import { state, changed, isOwner, chatKey, removeMember } from './state.js';
import { roomImage, roomName } from './chatlist.js';

/** Full invite URL of a group room. */
export const inviteUrl = (r) => `${location.origin}/invite/${encodeURIComponent(r.link)}`;

/** Forgets a group locally (after leaving, disbanding, being removed). */
export function dropGroup(gid) {
  const key = chatKey('group', gid);
  state.chats.delete(key);
  if (state.current === key) {
    state.current = null;
    if (state.panel === 'group') state.panel = null;
  }
  changed('chats');
}

/** Renders the panel for a group chat into the side panel. */
export function renderGroupPanel(chat) {
  const r = chat.r;
  const owner = isOwner(chat);
  const error = h('p', { class: 'error', role: 'alert', id: 'group-error' });
  const fail = (err) => { error.textContent = errorText(err); };
  const run = (fn) => async () => { error.textContent = ''; try { await fn(); } catch (err) { fail(err); } };
  $('panel-title').textContent = roomName(r);

  const img = roomImage(r);
  const head = h('section', {},
    img ? h('img', { class: 'group-image', src: img, alt: 'Group picture' }) : null,
    h('p', { class: 'muted', text: `${chat.u.length} member${chat.u.length === 1 ? '' : 's'}` }));

  // a wrapping field: the whole link is visible, however narrow the panel
  const linkInput = h('textarea', { id: 'invite-link', class: 'invite-link', readonly: true, rows: 2, spellcheck: 'false', 'aria-label': 'Invite link' });
  linkInput.value = inviteUrl(r);
  const invite = h('section', {},
    h('h3', { text: 'Invite link' }),
    h('div', { class: 'row' }, linkInput,
      h('button', {
        type: 'button', text: 'Copy', onClick: async () => {
          linkInput.select();
          try { await navigator.clipboard.writeText(linkInput.value); notice('Invite link copied.'); } catch { document.execCommand?.('copy'); }
        },
      }),
      owner ? h('button', {
        type: 'button', id: 'reset-link', text: 'Reset link', onClick: run(async () => {
          if (!window.confirm('Reset the invite link? The old link stops working.')) return;
          const data = await api.resetLink(r.id);
          r.link = data.text;
          changed('panel');
        }),
      }) : null));

  let settings = null;
  if (owner) {
    const nameInput = h('input', { id: 'group-name', value: r.long, maxlength: 35, 'aria-label': 'Group name' });
    const imageInput = h('input', { type: 'file', id: 'group-image-input', accept: 'image/png,image/jpeg,image/gif,image/webp' });
    imageInput.onchange = run(async () => {
      const file = imageInput.files[0];
      if (!file) return;
      const data = await api.setGroupImage(r.id, file.name, await readDataUrl(file));
      r.image = data.text;
      changed('chats');
    });
    settings = h('section', {},
      h('h3', { text: 'Settings' }),
      h('form', {
        class: 'row', id: 'rename-form', onSubmit: (ev) => {
          ev.preventDefault();
          run(async () => {
            const data = await api.rename(r.id, nameInput.value);
            r.long = data.text; r.short = data.text;
            changed('chats');
          })();
        },
      }, nameInput, h('button', { type: 'submit', text: 'Rename' })),
      h('label', { class: 'row' }, 'Picture ', imageInput));
  }

  const members = h('ul', { class: 'people', id: 'members' }, chat.u.map((user) => {
    const isGroupOwner = user.id === r.owner;
    return h('li', { class: 'person', 'data-user-id': user.id },
      h('span', { class: 'who' },
        h('span', { class: 'member-name', text: user.displayname || user.username }),
        ' ', h('span', { class: 'muted', text: `@${user.username}${isGroupOwner ? ' · owner' : ''}${user.id === state.me.id ? ' · you' : ''}` })),
      owner && !isGroupOwner ? h('button', {
        type: 'button', class: 'danger kick', text: 'Kick', onClick: run(async () => {
          if (!window.confirm(`Remove ${user.displayname || user.username} from the group?`)) return;
          await api.kick(r.id, user.id);
          removeMember(chat, user.id);
          changed('members');
        }),
      }) : null);
  }));

  const danger = h('section', {},
    owner ? h('button', {
      type: 'button', class: 'danger', id: 'clear-history', text: 'Clear history', onClick: run(async () => {
        if (!window.confirm('Delete every message of this group?')) return;
        await api.clear(r.type, r.id);
        chat.m = []; chat.older = false;
        changed('messages');
      }),
    }) : null,
    h('button', {
      type: 'button', class: 'danger', id: owner ? 'disband' : 'leave',
      text: owner ? 'Disband group' : 'Leave group',
      onClick: run(async () => {
        const question = owner
          ? `Disband "${roomName(r)}"? Every member is removed and all messages are deleted.`
          : `Leave "${roomName(r)}"?`;
        if (!window.confirm(question)) return;
        await api.leave(r.id);
        dropGroup(r.id);
        notice(owner ? `You disbanded "${roomName(r)}".` : `You left "${roomName(r)}".`);
      }),
    }));

  fill($('panel-body'), head, error, invite, settings,
    h('section', {}, h('h3', { text: 'Members' }), members), danger);
}
