/**
 * The Posts view: the public feed, newest first, with older pages fetched
 * on scroll (`before`). The server sends no signals for posts, likes or
 * comments: my own actions show at once, and the feed re-reads its newest
 * page when opened, on Refresh, when the tab becomes visible again and every
 * 30 s while it is shown.
 */

import { api, errorText } from './api.js';
import { $, h, fill, notice } from './dom.js';
import { state } from './state.js';
import { postCard } from './postcard.js';
import { initNewPost, closeNewPost } from './newpost.js';

/** Posts per page. */
export const PAGE = 20;
const POLL_MS = 30000;
/** A like sent this recently wins over a feed read that may predate it. */
const PENDING_MS = 5000;

/** id → entry `{post, card, update}`; `order`: ids newest first. */
let entries = new Map();
let order = [];
let older = false;
let loading = false;
let shown = false;
let timer = null;
let live = null;
/** id → `{liked, at}` of likes sent over the socket. */
const pending = new Map();

/** Compares decimal id strings (ids grow with time). */
const cmpId = (a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

const ctx = {
  toggleLike(entry) {
    const liked = !entry.post.liked;
    if (!live?.send({ type: liked ? 'postlike' : 'postunlike', postid: entry.post.id })) {
      notice('You are offline; try again when the connection is back.');
      return;
    }
    pending.set(entry.post.id, { liked, at: Date.now() });
    entry.update({ ...entry.post, liked, likes: Math.max(0, entry.post.likes + (liked ? 1 : -1)) });
  },
  async remove(entry) {
    if (!window.confirm('Delete this post with its likes and comments?')) return;
    $('feed-error').textContent = '';
    try {
      await api.deletePost(entry.post.id);
      drop(entry.post.id);
    } catch (err) {
      if (err.msg === 'POSTS_NOT_FOUND') ctx.gone(entry);
      else $('feed-error').textContent = errorText(err);
    }
  },
  gone(entry) {
    drop(entry.post.id);
    notice('That post was deleted.');
  },
};

/** A post as the server sent it, with my like still in flight applied. */
function withPending(post) {
  const p = pending.get(post.id);
  if (!p) return post;
  if (Date.now() - p.at > PENDING_MS || p.liked === post.liked) { pending.delete(post.id); return post; }
  return { ...post, liked: p.liked, likes: Math.max(0, post.likes + (p.liked ? 1 : -1)) };
}

function drop(id) {
  entries.get(id)?.card.remove();
  entries.delete(id);
  order = order.filter((x) => x !== id);
  renderEnd();
}

/** Adds or updates posts, then puts the cards in order (moving only what moved). */
function merge(posts) {
  for (const raw of posts) {
    const post = withPending(raw);
    const entry = entries.get(post.id);
    if (entry) entry.update(post);
    else entries.set(post.id, postCard(post, ctx));
  }
  order = [...entries.keys()].sort((a, b) => cmpId(b, a));
  const list = $('feed');
  order.forEach((id, i) => {
    const card = entries.get(id).card;
    if (list.children[i] !== card) list.insertBefore(card, list.children[i] || null);
  });
  renderEnd();
}

function renderEnd() {
  const end = $('feed-end');
  if (loading) fill(end, 'Loading…');
  else if (older) fill(end, h('button', { type: 'button', class: 'link', text: 'Load older posts', onClick: loadOlder }));
  else fill(end, order.length ? 'No older posts.' : 'No posts yet. Share the first one!');
}

/** Re-reads the newest page: new posts, current counts, deletions. */
async function refresh() {
  if (loading) return;
  loading = true;
  const first = !entries.size;
  renderEnd();
  try {
    const page = await api.posts(null, PAGE);
    $('feed-error').textContent = '';
    const ids = new Set(page.map((p) => p.id));
    // gone: listed no more although in the range this page covers
    const oldest = page.length === PAGE ? page[0].id : null;
    for (const id of [...entries.keys()]) {
      if (!ids.has(id) && (!oldest || cmpId(id, oldest) >= 0)) drop(id);
    }
    if (first || page.length < PAGE) older = page.length === PAGE;
    loading = false;
    merge(page);
  } catch (err) {
    $('feed-error').textContent = errorText(err);
  } finally {
    loading = false;
    renderEnd();
  }
  fillView();
}

/** Fetches the page before the oldest post shown. */
async function loadOlder() {
  if (loading || !older || !order.length) return;
  loading = true;
  renderEnd();
  try {
    const page = await api.posts(order[order.length - 1], PAGE);
    older = page.length === PAGE;
    loading = false;
    merge(page);
  } catch (err) {
    older = false;
    $('feed-error').textContent = errorText(err);
  } finally {
    loading = false;
    renderEnd();
  }
  fillView();
}

/** Loads more while the feed does not fill the view (nothing to scroll yet). */
function fillView() {
  const box = $('feed-scroll');
  if (shown && older && box.scrollHeight <= box.clientHeight + 200) loadOlder();
}

/** Wires the view once; `socket` sends the like frames. */
export function initPosts(socket) {
  const first = !live;
  live = socket;
  if (!first) return;
  $('posts-refresh').onclick = refresh;
  $('feed-scroll').addEventListener('scroll', () => {
    const box = $('feed-scroll');
    if (box.scrollTop + box.clientHeight > box.scrollHeight - 300) loadOlder();
  });
  document.addEventListener('visibilitychange', () => { if (shown && !document.hidden) refresh(); });
  initNewPost((post) => merge([post]));
}

/** Shows or hides the view after a state change (reads the feed on opening). */
export function renderPosts() {
  $('app').classList.toggle('posts-open', state.posts);
  $('posts-button').classList.toggle('active', state.posts);
  $('posts-button').setAttribute('aria-pressed', String(state.posts));
  if (state.posts === shown) return;
  shown = state.posts;
  clearInterval(timer);
  if (shown) {
    refresh();
    timer = setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
  } else {
    closeNewPost();
  }
}

/** Forgets the feed (sign-out: the next user sees their own view of it). */
export function resetPosts() {
  entries = new Map();
  order = [];
  older = false;
  pending.clear();
  fill($('feed'));
}
