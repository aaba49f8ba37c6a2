/** Another user's profile in the side panel: picture, names, bio, friend actions. */

import { errorText } from './api.js';
import { $, h, fill } from './dom.js';
import { state } from './state.js';
import { friendButtons } from './profile.js';

/** Renders `state.viewUser` into the side panel. */
export function renderUserPanel() {
  const user = state.viewUser;
  if (!user) return;
  const name = user.displayname || user.username;
  $('panel-title').textContent = name;
  const error = h('p', { class: 'error', id: 'user-error', role: 'alert' });
  const onError = (err) => { error.textContent = errorText(err); };
  const friendText = {
    1: 'You are friends.', 2: 'Friend request sent.', 3: 'Wants to be your friend.',
  }[user.isFriend] || '';
  fill($('panel-body'),
    h('section', { id: 'user-profile', 'data-user-id': user.id },
      user.image ? h('img', { class: 'group-image', src: `/file/user/${encodeURIComponent(user.image)}`, alt: `${name}'s picture` }) : null,
      h('h3', { class: 'person-name', text: name }),
      h('p', { class: 'muted', text: `@${user.username} · id ${user.id}` }),
      user.bio ? h('p', { class: 'bio', text: user.bio }) : null,
      friendText ? h('p', { class: 'muted', text: friendText }) : null,
      h('div', { class: 'row' }, ...friendButtons(user, onError)),
      error));
}
