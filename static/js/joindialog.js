/**
 * The join dialog for an invite link opened inside the app: a preview of
 * the group and Join (or Open chat when already a member).
 */

import { api, errorText } from './api.js';
import { $, h, fill } from './dom.js';
import { chatKey, putChat } from './state.js';

/** Shows the dialog for `link`; `openChat(key)` opens the group after joining. */
export async function showJoinDialog(link, openChat) {
  const dialog = $('join-dialog');
  const error = h('p', { class: 'error', role: 'alert', id: 'join-dialog-error' });
  const close = h('button', { type: 'button', text: 'Close', onClick: () => dialog.close() });
  let preview = null;
  try {
    preview = await api.invite(link);
  } catch (err) {
    fill(dialog, h('h2', { text: 'Group invite' }), h('p', { text: errorText(err) }), h('div', { class: 'row end' }, close));
    dialog.showModal();
    return;
  }
  const group = preview.group;
  const name = group.long || group.short;
  const join = h('button', {
    type: 'button',
    class: 'button',
    id: 'join-dialog-join',
    text: preview.joined ? 'Open chat' : 'Join',
    onClick: async () => {
      error.textContent = '';
      join.disabled = true;
      try {
        if (!preview.joined) putChat(await api.join(group.id, link));
        dialog.close();
        await openChat(chatKey('group', group.id));
      } catch (err) {
        error.textContent = errorText(err);
        join.disabled = false;
      }
    },
  });
  fill(dialog,
    h('p', { class: 'muted', text: preview.joined ? 'You are a member of' : 'You are invited to join' }),
    h('h2', { id: 'join-dialog-name', text: name }),
    h('p', { text: `${preview.members} member${preview.members === 1 ? '' : 's'}` }),
    error,
    h('div', { class: 'row end' }, close, join));
  dialog.showModal();
}
