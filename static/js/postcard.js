/**
 * One post of the feed: author, time, image, text, the like toggle with its
 * count, the author's Delete, and the expandable comments.
 */

import { h, timeOf } from './dom.js';
import { state } from './state.js';
import { commentsSection, authorName, avatar } from './comments.js';

const enc = encodeURIComponent;

/** URL of a post's image. */
export const postImage = (post) => `/file/post/${enc(post.id)}/${enc(post.img)}`;

/** "1 like", "2 likes". */
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Builds the card of `post`. `ctx`: `{ toggleLike(entry), remove(entry),
 * gone(entry) }`. Returns the entry `{ post, card, update(next?) }`; update
 * changes counts and the like state in place (typed comments survive).
 */
export function postCard(post, ctx) {
  const entry = { post };
  const mine = post.user?.id === state.me?.id;
  const like = h('button', { type: 'button', class: 'like', onClick: () => ctx.toggleLike(entry) });
  const likes = h('span', { class: 'likes muted' });
  const comments = commentsSection(entry, ctx);
  entry.card = h('li', { class: `post${mine ? ' mine' : ''}`, 'data-post-id': post.id },
    h('header', { class: 'post-head' },
      avatar(post.user),
      h('span', { class: 'who' },
        h('span', { class: 'name', text: authorName(post.user) }),
        h('time', { class: 'muted', datetime: new Date(post.ts).toISOString(), text: timeOf(post.ts) })),
      mine ? h('button', { type: 'button', class: 'danger delete-post', text: 'Delete', onClick: () => ctx.remove(entry) }) : null),
    h('img', { class: 'post-image', src: postImage(post), alt: post.text ? `Image of the post: ${post.text}` : 'Posted image', loading: 'lazy' }),
    post.text ? h('p', { class: 'post-text', text: post.text }) : null,
    h('div', { class: 'post-actions' }, like, likes, comments.toggle),
    comments.el);
  entry.update = (next) => {
    if (next) entry.post = next;
    const p = entry.post;
    like.textContent = p.liked ? 'Unlike' : 'Like';
    like.setAttribute('aria-pressed', p.liked ? 'true' : 'false');
    like.classList.toggle('liked', Boolean(p.liked));
    likes.textContent = plural(p.likes, 'like');
    comments.setCount(p.comments);
  };
  entry.update();
  return entry;
}
