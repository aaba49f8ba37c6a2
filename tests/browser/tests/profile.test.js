// Profile edits with the server's errors and cooldowns; friend requests
// (send, cancel, ignore, accept) and a one-to-one chat started from search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, waitFor, send, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Saves one profile field and returns what its error line says ('' when saved). */
async function save(page, id, value) {
  await page.locator(`#${id}`).fill(value);
  await page.evaluate(() => { document.getElementById('notice').hidden = true; document.getElementById('notice-text').textContent = ''; });
  await page.locator(`#${id}`).locator('xpath=..').getByRole('button', { name: 'Save' }).click();
  const error = page.locator(`#${id}-error`);
  await waitFor(async () => (await error.textContent()) !== ''
    || / saved\.$/.test(await page.locator('#notice-text').textContent()), `${id} answered`);
  return error.textContent();
}

test('profile edits show server errors and cooldowns', async () => {
  const me = await user(browser, 'ivy');
  await me.page.locator('#me-button').click();
  await me.page.locator('#username').waitFor();

  assert.equal(await save(me.page, 'username', 'ab'), 'A username has 4 to 20 characters.');
  assert.equal(await save(me.page, 'username', 'bad name!'), 'A username may use only letters, digits, _ and .');
  const uname = `ivy_${me.id.slice(-6)}`;
  assert.equal(await save(me.page, 'username', uname), '');
  await waitFor(async () => (await me.page.locator('#me-name').textContent()).includes(`@${uname}`), 'header shows new username');
  assert.match(await save(me.page, 'username', `${uname}x`), /^You changed this recently; try again at .+\.$/);

  // display names are text, never markup
  const fancy = '<b>Ivy</b> & co';
  assert.equal(await save(me.page, 'displayname', fancy), '');
  await waitFor(async () => (await me.page.locator('#me-name').textContent()).startsWith(fancy), 'display name shown literally');
  assert.equal(await me.page.locator('#me-name b').count(), 0);
  assert.match(await save(me.page, 'displayname', 'Ivy'), /try again at /);

  assert.equal(await save(me.page, 'bio', 'Reads a lot.\nWalks a lot.'), '');
  assert.equal(await me.page.locator('#bio').inputValue(), 'Reads a lot.\nWalks a lot.');
  assert.match(await save(me.page, 'bio', 'Changed my mind'), /try again at /);

  await me.page.locator('#picture-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: Buffer.from('plain text') });
  await waitFor(async () => (await me.page.locator('#picture-error').textContent()) !== '', 'picture error');
  assert.equal(await me.page.locator('#picture-error').textContent(), 'That is not a PNG, JPEG, GIF or WebP image.');
  assertClean(me);
  await me.context.close();
});

/** Opens the friends panel and searches for a user by id. */
async function find(page, id) {
  if (!(await page.locator('#search-input').count())) await page.locator('#friends-button').click();
  await page.locator('#search-input').fill(id);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.locator(`#search-results [data-user-id="${id}"]`);
  await row.waitFor();
  return row;
}

test('friend request: cancel, ignore, accept, then a one-to-one chat', async () => {
  const a = await user(browser, 'jack');
  const b = await user(browser, 'kate');

  // send and cancel
  let row = await find(a.page, b.id);
  await row.getByRole('button', { name: 'Add friend' }).click();
  await row.getByRole('button', { name: 'Cancel request' }).waitFor();
  await b.page.locator('#notice-text', { hasText: 'sent you a friend request' }).waitFor();
  await row.getByRole('button', { name: 'Cancel request' }).click();
  await row.getByRole('button', { name: 'Add friend' }).waitFor();

  // send again; B ignores it
  await row.getByRole('button', { name: 'Add friend' }).click();
  await b.page.locator('#friends-button').click();
  const request = b.page.locator(`#requests [data-user-id="${a.id}"]`);
  await request.waitFor();
  await request.getByRole('button', { name: 'Ignore' }).click();
  await waitFor(async () => (await b.page.locator('#requests').count()) === 0, 'request gone');

  // and a third time; B accepts
  row = await find(a.page, b.id);
  await row.getByRole('button', { name: 'Add friend' }).click();
  await request.getByRole('button', { name: 'Accept' }).click();
  await a.page.locator('#notice-text', { hasText: 'accepted your friend request' }).waitFor();
  row = await find(a.page, b.id);
  await row.getByRole('button', { name: 'Unfriend' }).waitFor();

  // start a one-to-one chat from the search result
  await row.getByRole('button', { name: 'Message' }).click();
  await waitFor(async () => (await a.page.locator('#chat-title').textContent()) === `User ${b.id}`, 'DM open');
  await send(a.page, 'Hi Kate, thanks for accepting');
  const item = b.page.locator(`.chat-item[data-key="user:${a.id}"]`);
  await item.waitFor();
  assert.match(await item.locator('.last').textContent(), /Hi Kate/);
  await item.click();
  await b.page.locator('.msg:not(.mine) .text', { hasText: 'Hi Kate, thanks for accepting' }).waitFor();
  await send(b.page, 'You are welcome');
  await a.page.locator('.msg:not(.mine) .text', { hasText: 'You are welcome' }).waitFor();
  // one-to-one read state
  await a.page.locator('.msg.mine .read', { hasText: 'Read' }).waitFor();
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});

test('sign out, then a wrong code is refused in words', async () => {
  const me = await user(browser, 'tess');
  await me.page.getByRole('link', { name: 'Sign out' }).click();
  await me.page.locator('#email-form').waitFor();
  assert.equal(await me.page.locator('#app').isVisible(), false);
  await me.page.locator('#email').fill(me.email);
  await me.page.getByRole('button', { name: 'Send code' }).click();
  await me.page.locator('#code').waitFor();
  const right = await me.page.locator('#code').inputValue();
  await me.page.locator('#code').fill(right === '000000' ? '111111' : '000000');
  await me.page.getByRole('button', { name: 'Sign in' }).click();
  await me.page.locator('#signin-error', { hasText: 'That code is wrong.' }).waitFor();
  await me.page.locator('#code').fill(right);
  await me.page.getByRole('button', { name: 'Sign in' }).click();
  await me.page.locator('#conn.online').waitFor();
  assertClean(me);
  await me.context.close();
});
