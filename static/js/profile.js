/**
 * The profile panel: my username, display name, bio and picture (server
 * errors and cooldowns shown beside each field), friend requests, and user
 * search with friend actions and "Message" to start a one-to-one chat.
 */

import { api, errorText } from './api.js';
import { $, h, fill, readDataUrl, notice } from './dom.js';
import { state, changed, chatKey, noteFriend } from './state.js';
import { pushSection } from './push.js';

/** Last search: query and results (kept so signals can refresh them). */
let search = { q: '', users: [], error: '' };

/** Opens (or creates locally) the one-to-one chat with `user`. */
export function openDirect(user) {
  const key = chatKey('user', user.id);
  noteFriend(user);
  if (!state.chats.has(key)) {
    state.chats.set(key, {
      r: { id: user.id, short: user.username, long: user.displayname, image: user.image || null, badges: user.badges || [], type: 'user' },
      u: [user], m: [], older: false, loading: false,
    });
  }
  state.current = key;
  state.panel = null;
  changed('open');
}

/** Updates what I know about a user after a friend action or signal. */
export function updateUser(user) {
  search.users = search.users.map((x) => (x.id === user.id ? { ...x, ...user } : x));
  if (state.viewUser?.id === user.id) state.viewUser = { ...state.viewUser, ...user };
  // the one-to-one chat's header offers calls to friends only
  noteFriend(user);
  if (state.chats.has(chatKey('user', user.id))) changed('chats');
  const req = state.me.req || [];
  state.me.req = user.isFriend === 3
    ? [...req.filter((x) => x.id !== user.id), user]
    : req.filter((x) => x.id !== user.id);
  if (state.panel === 'profile' || state.panel === 'user') changed('panel');
}

/** A field of my profile: input, Save button and its own error line. */
function field({ id, label, value, multiline, save }) {
  const input = multiline
    ? h('textarea', { id, rows: 3, maxlength: 200, 'aria-label': label })
    : h('input', { id, 'aria-label': label });
  input.value = value || '';
  const error = h('p', { class: 'error', id: `${id}-error`, role: 'alert' });
  const form = h('form', {
    class: 'row',
    onSubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      try {
        const data = await save(input.value);
        input.value = data.text ?? input.value;
        notice(`${label} saved.`);
        changed('me');
      } catch (err) { error.textContent = errorText(err); }
    },
  }, input, h('button', { type: 'submit', text: 'Save' }));
  return h('section', {}, h('h3', { text: label }), form, error);
}

/** Buttons for a user according to `isFriend`. */
export function friendButtons(user, onError) {
  const act = (action, label, extra = {}) => h('button', {
    type: 'button', text: label, 'data-action': action, ...extra,
    onClick: async () => {
      try {
        const data = await api.friend(action, user.id);
        updateUser(data.user);
        changed('panel');
      } catch (err) { onError(err); }
    },
  });
  const message = h('button', { type: 'button', class: 'primary', text: 'Message', 'data-action': 'message', onClick: () => openDirect(user) });
  switch (user.isFriend) {
    case 1: return [message, act('unfriend', 'Unfriend')];
    case 2: return [message, act('cancelfriend', 'Cancel request')];
    case 3: return [message, act('acceptfriend', 'Accept'), act('ignorefriend', 'Ignore')];
    default: return [message, act('addfriend', 'Add friend')];
  }
}

function personRow(user, onError) {
  return h('li', { class: 'person', 'data-user-id': user.id },
    user.image ? h('img', { class: 'avatar', src: `/file/user/${encodeURIComponent(user.image)}`, alt: '' }) : null,
    h('span', { class: 'who' },
      h('span', { class: 'person-name', text: user.displayname || user.username }), ' ',
      h('span', { class: 'muted', text: `@${user.username}` })),
    ...friendButtons(user, onError));
}

/** Renders the profile and friends panel. */
export function renderProfilePanel() {
  const me = state.me;
  $('panel-title').textContent = 'Profile and friends';
  const friendError = h('p', { class: 'error', id: 'friend-error', role: 'alert' });
  const onError = (err) => { friendError.textContent = errorText(err); };

  const picError = h('p', { class: 'error', id: 'picture-error', role: 'alert' });
  const picInput = h('input', { type: 'file', id: 'picture-input', accept: 'image/png,image/jpeg,image/gif,image/webp' });
  picInput.onchange = async () => {
    picError.textContent = '';
    const file = picInput.files[0];
    if (!file) return;
    try {
      const data = await api.setImage(file.name, await readDataUrl(file));
      me.image = data.text;
      changed('me');
    } catch (err) { picError.textContent = errorText(err); }
  };
  const picture = h('section', {}, h('h3', { text: 'Picture' }),
    me.image ? h('img', { class: 'group-image', src: `/file/user/${encodeURIComponent(me.image)}`, alt: 'My picture' }) : null,
    picInput, picError);

  const requests = (me.req || []).length
    ? h('section', {}, h('h3', { text: 'Friend requests' }),
      h('ul', { class: 'people', id: 'requests' }, me.req.map((u) => personRow({ ...u, isFriend: 3 }, onError))))
    : null;

  const q = h('input', { id: 'search-input', placeholder: 'Username or id', 'aria-label': 'Search users' });
  q.value = search.q;
  const results = h('ul', { class: 'people', id: 'search-results' },
    search.error ? h('li', { class: 'muted', text: search.error }) : search.users.map((u) => personRow(u, onError)));
  const find = h('section', {}, h('h3', { text: 'Find people' }),
    h('form', {
      class: 'row',
      onSubmit: async (ev) => {
        ev.preventDefault();
        search = { q: q.value.trim(), users: [], error: '' };
        if (!search.q) return;
        try { search.users = (await api.search(search.q)).users; } catch (err) { search.error = err.msg === 'FIND_NOTFOUND' ? 'Nobody found.' : errorText(err); }
        changed('panel');
      },
    }, q, h('button', { type: 'submit', text: 'Search' })),
    friendError, results);

  fill($('panel-body'),
    h('p', { class: 'muted', text: `Signed in as ${me.email?.[0]?.email || ''} · id ${me.id}` }),
    field({ id: 'username', label: 'Username', value: me.username, save: async (v) => { const d = await api.setUsername(v); me.username = d.text; return d; } }),
    field({ id: 'displayname', label: 'Display name', value: me.displayname, save: async (v) => { const d = await api.setDisplayname(v); me.displayname = d.text; return d; } }),
    field({ id: 'bio', label: 'Bio', value: me.bio, multiline: true, save: async (v) => { const d = await api.setBio(v); me.bio = d.text; return d; } }),
    picture, pushSection(), requests, find);
}
