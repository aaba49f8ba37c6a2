/**
 * The comments of one post: a toggle showing the count, and when expanded
 * the whole list (fetched on every opening), my Delete on my own comments,
 * and a form to add one.
 */

import { api, errorText } from './api.js';
import { h, fill, timeOf } from './dom.js';
import { state } from './state.js';

const enc = encodeURIComponent;

/** Display name of a user object of the posts API. */
export const authorName = (user) => user?.displayname || user?.username || `User ${user?.id ?? '?'}`;

/** Small picture (or empty circle) of a user. */
export function avatar(user) {
  return user?.image
    ? h('img', { class: 'avatar', src: `/file/user/${enc(user.image)}`, alt: '' })
    : h('span', { class: 'avatar', 'aria-hidden': 'true' });
}

/**
 * The comments part of a post `entry`; `ctx.gone(entry)` is told when the
 * post no longer exists. Returns `{ el, toggle, setCount(n) }`.
 */
export function commentsSection(entry, ctx) {
  let open = false;
  let list = [];
  const toggle = h('button', { type: 'button', class: 'link comments-toggle', 'aria-expanded': 'false' });
  const items = h('ul', { class: 'comments', 'aria-label': 'Comments' });
  const error = h('p', { class: 'error', role: 'alert' });
  const input = h('input', { class: 'comment-input', maxlength: 300, placeholder: 'Write a comment', 'aria-label': 'Comment', autocomplete: 'off' });
  const form = h('form', { class: 'row comment-form' }, input, h('button', { type: 'submit', text: 'Comment' }));
  const el = h('div', { class: 'comments-box', hidden: true }, items, error, form);

  const count = (n) => {
    entry.update({ ...entry.post, comments: n });
  };

  function failed(err) {
    if (err.msg === 'POSTS_NOT_FOUND') { ctx.gone(entry); return; }
    error.textContent = errorText(err);
  }

  function render() {
    const rows = list.map((c) => {
      const mine = c.user?.id === state.me?.id;
      return h('li', { class: `comment${mine ? ' mine' : ''}`, 'data-comment-id': c.id },
        h('span', { class: 'comment-head' },
          h('span', { class: 'name', text: authorName(c.user) }),
          h('time', { class: 'muted', datetime: new Date(c.ts).toISOString(), text: timeOf(c.ts) }),
          mine ? h('button', { type: 'button', class: 'link danger', text: 'Delete', onClick: () => remove(c) }) : null),
        h('span', { class: 'comment-text', text: c.text }));
    });
    if (!rows.length) rows.push(h('li', { class: 'muted no-comments', text: 'No comments yet.' }));
    fill(items, rows);
  }

  async function load() {
    error.textContent = '';
    fill(items, h('li', { class: 'muted', text: 'Loading comments…' }));
    try {
      list = await api.comments(entry.post.id);
      render();
      count(list.length);
    } catch (err) { failed(err); }
  }

  async function remove(comment) {
    error.textContent = '';
    try {
      await api.deleteComment(entry.post.id, comment.id);
      list = list.filter((c) => c.id !== comment.id);
      render();
      count(list.length);
    } catch (err) {
      // already gone: show the list as the server has it
      if (err.msg === 'CMT_NOT_FOUND') await load();
      failed(err);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      const comment = await api.addComment(entry.post.id, input.value);
      input.value = '';
      list = [...list.filter((c) => c.id !== comment.id), comment];
      render();
      count(list.length);
    } catch (err) { failed(err); }
  });

  toggle.addEventListener('click', () => {
    open = !open;
    el.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) load();
  });

  return {
    el,
    toggle,
    setCount(n) { toggle.textContent = `${n} comment${n === 1 ? '' : 's'}`; },
  };
}
