// Posts in the web client (issue 15, item 2): a new post with its preview,
// another user seeing, liking and commenting on it, unliking, the author
// deleting a comment and the post, a bad file refused in words, and older
// posts fetched on scroll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, user, waitFor, shot, apiCall, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A PNG drawn in the page: a gradient with a label. */
async function png(page, label, color, width = 480, height = 270) {
  const url = await page.evaluate(([text, top, w, hgt]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = hgt;
    const g = canvas.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 0, hgt);
    grad.addColorStop(0, top);
    grad.addColorStop(1, '#1d2330');
    g.fillStyle = grad;
    g.fillRect(0, 0, w, hgt);
    g.fillStyle = '#fff';
    g.font = `bold ${Math.round(hgt / 8)}px sans-serif`;
    g.fillText(text, w / 20, hgt / 2);
    return canvas.toDataURL('image/png');
  }, [label, color, width, height]);
  return { url, buffer: Buffer.from(url.split(',')[1], 'base64') };
}

/** The feed as the server has it for this page's user. */
async function serverFeed(page, query = '') {
  const res = await apiCall(page, 'GET', `/x/posts${query}`);
  assert.equal(res.ok, true, JSON.stringify(res));
  return res.data;
}

async function openPosts(page) {
  await page.locator('#posts-button').click();
  await page.locator('#posts').waitFor();
  await page.locator('#feed-end:not(:empty)').waitFor();
}

/** The card of the post whose text contains `text`. */
const card = (page, text) => page.locator('.post', { has: page.locator('.post-text', { hasText: text }) });

test('a post with a preview is seen, liked, commented, unliked and deleted', async () => {
  const a = await user(browser, 'paula', { displayName: 'Paula Poster' });
  const b = await user(browser, 'victor', { displayName: 'Victor Viewer' });
  const tag = randomBytes(3).toString('hex');
  const text = `Sunset <b>over</b> the bay ${tag}`;

  // A picks an image: the preview shows before anything is posted
  await openPosts(a.page);
  await a.page.getByRole('button', { name: 'New post' }).click();
  assert.equal(await a.page.locator('#new-post-submit').isDisabled(), true);
  const image = await png(a.page, `Sunset ${tag}`, '#f08a3c');
  await a.page.locator('#new-post-file').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: image.buffer });
  const preview = a.page.locator('#new-post-preview');
  await preview.waitFor();
  await waitFor(() => preview.evaluate((img) => img.complete && img.naturalWidth === 480), 'preview decoded');
  assert.match(await preview.getAttribute('src'), /^blob:/);
  await a.page.locator('#new-post-text').fill(text);
  assert.equal((await serverFeed(a.page)).some((p) => p.text === text), false, 'nothing posted before Post');
  await shot(a.page, 'posts-new-preview');
  await a.page.locator('#new-post-submit').click();
  const mine = card(a.page, text);
  await mine.waitFor();
  assert.equal(await a.page.locator('#new-post').isVisible(), false);
  assert.equal(await mine.locator('.post-text').textContent(), text, 'text shown literally');
  assert.equal(await mine.locator('.post-text b').count(), 0);
  const post = (await serverFeed(a.page)).find((p) => p.text === text);
  assert.ok(post, 'stored on the server');

  // B sees it with its author, image and counts; only the author may delete it
  await openPosts(b.page);
  const theirs = card(b.page, text);
  await theirs.waitFor();
  assert.equal(await theirs.locator('.post-head .name').textContent(), 'Paula Poster');
  await waitFor(() => theirs.locator('.post-image').evaluate((img) => img.complete && img.naturalWidth === 480), 'image shown');
  assert.equal(await theirs.locator('.delete-post').count(), 0);
  assert.equal(await mine.locator('.delete-post').count(), 1);
  assert.equal(await theirs.locator('.likes').textContent(), '0 likes');

  // B likes it: the toggle and the count change at once, the server agrees
  await theirs.getByRole('button', { name: 'Like', exact: true }).click();
  assert.equal(await theirs.locator('.like').textContent(), 'Unlike');
  assert.equal(await theirs.locator('.like').getAttribute('aria-pressed'), 'true');
  assert.equal(await theirs.locator('.likes').textContent(), '1 like');
  await waitFor(async () => (await serverFeed(b.page)).find((p) => p.id === post.id)?.likes === 1, 'like stored');
  assert.equal((await serverFeed(b.page)).find((p) => p.id === post.id).liked, true);

  // B comments
  await theirs.locator('.comments-toggle').click();
  await theirs.locator('.no-comments').waitFor();
  await theirs.locator('.comment-input').fill('What a view!');
  await theirs.getByRole('button', { name: 'Comment', exact: true }).click();
  await theirs.locator('.comment-text', { hasText: 'What a view!' }).waitFor();
  assert.equal(await theirs.locator('.comments-toggle').textContent(), '1 comment');
  await shot(b.page, 'posts-feed');

  // A refreshes: B's like and comment are counted; A has not liked it
  await a.page.locator('#posts-refresh').click();
  await waitFor(async () => (await mine.locator('.likes').textContent()) === '1 like', 'author sees the like');
  assert.equal(await mine.locator('.like').textContent(), 'Like');
  assert.equal(await mine.locator('.comments-toggle').textContent(), '1 comment');
  await mine.locator('.comments-toggle').click();
  const theirComment = mine.locator('.comment', { hasText: 'What a view!' });
  await theirComment.waitFor();
  assert.equal(await theirComment.locator('.name').textContent(), 'Victor Viewer');
  assert.equal(await theirComment.getByRole('button', { name: 'Delete' }).count(), 0, 'not my comment');
  await mine.locator('.comment-input').fill('Thanks, it was <i>cold</i> though');
  await mine.getByRole('button', { name: 'Comment', exact: true }).click();
  const own = mine.locator('.comment.mine');
  await own.waitFor();
  assert.equal(await own.locator('.comment-text').textContent(), 'Thanks, it was <i>cold</i> though');
  assert.equal(await mine.locator('.comments-toggle').textContent(), '2 comments');
  await shot(a.page, 'posts-comments');

  // B unlikes
  await theirs.getByRole('button', { name: 'Unlike', exact: true }).click();
  assert.equal(await theirs.locator('.likes').textContent(), '0 likes');
  assert.equal(await theirs.locator('.like').getAttribute('aria-pressed'), 'false');
  await waitFor(async () => (await serverFeed(b.page)).find((p) => p.id === post.id)?.likes === 0, 'unlike stored');

  // A deletes the own comment, then the post
  await own.getByRole('button', { name: 'Delete' }).click();
  await waitFor(async () => (await mine.locator('.comment.mine').count()) === 0, 'comment gone');
  assert.equal(await mine.locator('.comments-toggle').textContent(), '1 comment');
  const comments = await apiCall(a.page, 'GET', `/x/posts/comments/${post.id}`);
  assert.deepEqual(comments.data.map((c) => c.text), ['What a view!']);
  await mine.locator('.delete-post').click();
  await waitFor(async () => (await mine.count()) === 0, 'post gone');
  assert.equal((await serverFeed(a.page)).some((p) => p.id === post.id), false);
  await b.page.locator('#posts-refresh').click();
  await waitFor(async () => (await theirs.count()) === 0, 'post gone for B after refresh');
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});

test('a file that is not an image is refused in words and nothing is posted', async () => {
  const me = await user(browser, 'wendy');
  const text = `not an image ${randomBytes(3).toString('hex')}`;
  await openPosts(me.page);
  await me.page.getByRole('button', { name: 'New post' }).click();
  await me.page.locator('#new-post-file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just some text') });
  await me.page.locator('#new-post-no-preview').waitFor();
  await me.page.locator('#new-post-text').fill(text);
  await me.page.locator('#new-post-submit').click();
  const error = me.page.locator('#new-post-error');
  await waitFor(async () => (await error.textContent()) !== '', 'error shown');
  assert.equal(await error.textContent(), 'That is not a PNG, JPEG, GIF or WebP image.');
  await shot(me.page, 'posts-bad-image');
  assert.equal(await me.page.locator('#new-post').isVisible(), true, 'the form stays for another try');
  assert.equal((await serverFeed(me.page)).some((p) => p.text === text), false);
  assert.equal(await card(me.page, text).count(), 0);
  assertClean(me);
  await me.context.close();
});

test('older posts load on scroll, newest first', async () => {
  const me = await user(browser, 'olga');
  const tag = randomBytes(3).toString('hex');
  const { url } = await png(me.page, 'page', '#3c8af0', 64, 48);
  for (let i = 1; i <= 25; i += 1) {
    const res = await apiCall(me.page, 'POST', '/x/posts/new-post', { file: url, name: 'p.png', text: `page ${tag} #${i}` });
    assert.equal(res.ok, true, JSON.stringify(res));
  }
  await openPosts(me.page);
  const texts = () => me.page.locator('.post-text', { hasText: `page ${tag} ` }).allTextContents();
  await waitFor(async () => (await texts()).length === 20, 'first page');
  assert.deepEqual(await texts(), Array.from({ length: 20 }, (_, i) => `page ${tag} #${25 - i}`));
  await me.page.locator('#feed-scroll').evaluate((box) => { box.scrollTop = box.scrollHeight; });
  await waitFor(async () => (await texts()).length === 25, 'older page');
  assert.deepEqual(await texts(), Array.from({ length: 25 }, (_, i) => `page ${tag} #${25 - i}`));
  assertClean(me);
  await me.context.close();
});

test('on a phone the feed replaces the chat list; back returns; #posts reopens it', async () => {
  const me = await user(browser, 'pia', { viewport: { width: 390, height: 760 } });
  const tag = randomBytes(3).toString('hex');
  const { url } = await png(me.page, `phone ${tag}`, '#3cb878', 320, 180);
  const res = await apiCall(me.page, 'POST', '/x/posts/new-post', { file: url, name: 'p.png', text: `from a phone ${tag}` });
  assert.equal(res.ok, true, JSON.stringify(res));
  await openPosts(me.page);
  await card(me.page, `from a phone ${tag}`).waitFor();
  assert.equal(await me.page.locator('#chat-list').isVisible(), false, 'list hidden behind the feed');
  const img = card(me.page, `from a phone ${tag}`).locator('.post-image');
  await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth === 320), 'image shown');
  await shot(me.page, 'posts-phone');
  await me.page.locator('#posts-back').click();
  await me.page.locator('#chat-list').waitFor();
  assert.equal(await me.page.locator('#posts').isVisible(), false);
  await openPosts(me.page);
  await me.page.reload();
  await me.page.locator('#conn.online').waitFor({ state: 'attached' });
  await card(me.page, `from a phone ${tag}`).waitFor();
  assert.equal(new URL(me.page.url()).hash, '#posts');
  assertClean(me);
  await me.context.close();
});
