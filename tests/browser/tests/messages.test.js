// Messages in a group: edit, delete, reply, images and older history,
// each checked on the other member's screen too (live, no reload).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, createGroup, joinByInvite, openChat, send, waitFor, apiCall, assertClean } from './helpers.js';

// a 2×2 red PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

let browser;
let owner;
let member;
let group;
before(async () => {
  browser = await launch();
  owner = await user(browser, 'alice');
  member = await user(browser, 'bob');
  group = await createGroup(owner.page, 'Book Circle');
  await joinByInvite(member.page, group.link);
});
after(async () => { await browser?.close(); });

/** The other member's rendering of a message, by its text. */
const theirs = (page, text) => page.locator('.msg:not(.mine)', { hasText: text });

test('edit and delete own messages, seen live by the other member', async () => {
  await send(owner.page, 'Chapter one is long');
  await theirs(member.page, 'Chapter one is long').waitFor();

  const mine = owner.page.locator('.msg.mine', { hasText: 'Chapter one is long' });
  await mine.getByRole('button', { name: 'Edit' }).click();
  assert.equal(await owner.page.locator('#message-input').inputValue(), 'Chapter one is long');
  assert.match(await owner.page.locator('#compose-extra-text').textContent(), /^Editing:/);
  await owner.page.locator('#message-input').fill('Chapter one is very long');
  await owner.page.locator('#composer').getByRole('button', { name: 'Send' }).click();
  await owner.page.locator('.msg.mine .text', { hasText: 'Chapter one is very long' }).waitFor();
  const edited = theirs(member.page, 'Chapter one is very long');
  await edited.locator('.edited').waitFor();
  assert.equal(await owner.page.locator('.msg', { hasText: 'Chapter one is long' }).count(), 0);

  // no Edit/Delete on someone else's message
  assert.equal(await edited.getByRole('button', { name: 'Edit' }).count(), 0);
  assert.equal(await edited.getByRole('button', { name: 'Delete' }).count(), 0);

  await owner.page.locator('.msg.mine', { hasText: 'Chapter one is very long' }).getByRole('button', { name: 'Delete' }).click();
  await owner.page.locator('.msg.mine.deleted', { hasText: 'This message was deleted.' }).waitFor();
  await member.page.locator('.msg.deleted', { hasText: 'This message was deleted.' }).waitFor();
  assert.equal(await member.page.locator('.msg', { hasText: 'Chapter one is very long' }).count(), 0);
});

test('reply to a message shows the quote on both sides', async () => {
  await send(member.page, 'Who picks the next book?');
  const question = theirs(owner.page, 'Who picks the next book?');
  await question.waitFor();
  await question.getByRole('button', { name: 'Reply' }).click();
  assert.match(await owner.page.locator('#compose-extra-text').textContent(), /Replying to: Who picks the next book\?/);
  await send(owner.page, 'I will');
  const answer = owner.page.locator('.msg.mine', { hasText: 'I will' });
  assert.match(await answer.locator('.quote').textContent(), /Who picks the next book\?/);
  const seen = theirs(member.page, 'I will');
  await seen.waitFor();
  assert.match(await seen.locator('.quote').textContent(), /Who picks the next book\?/);
  assert.equal(await owner.page.locator('#compose-extra').isVisible(), false);
});

test('an image is sent and shown to the other member', async () => {
  await owner.page.locator('#image-input').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: PNG });
  const img = owner.page.locator('.msg.mine img.media').last();
  await img.waitFor();
  const theirImg = member.page.locator('.msg:not(.mine) img.media').last();
  await theirImg.waitFor();
  await waitFor(() => theirImg.evaluate((el) => el.complete && el.naturalWidth === 2), 'image loaded');
  assert.match(await theirImg.getAttribute('src'), /^\/file\/media\/group\//);
  // the list preview says it is an image
  assert.match(await member.page.locator(`.chat-item[data-name="Book Circle"] .last`).textContent(), /image/);
});

test('older messages load when scrolling to the top', async () => {
  const g = await createGroup(member.page, 'Long Thread');
  for (let i = 1; i <= 130; i += 1) {
    const res = await apiCall(member.page, 'POST', `/x/room/sendMessage/group/${g.id}`, { text: `line ${String(i).padStart(3, '0')}` });
    assert.equal(res.ok, true);
  }
  await member.page.reload();
  await member.page.locator('#conn.online').waitFor({ state: 'attached' });
  await openChat(member.page, 'Long Thread');
  // isUser holds the last 100: 031..130
  await member.page.locator('.msg .text', { hasText: 'line 130' }).waitFor();
  assert.equal(await member.page.locator('.msg .text', { hasText: 'line 001' }).count(), 0);
  assert.equal(await member.page.locator('.msg').count(), 100);
  await member.page.locator('#messages').evaluate((el) => { el.scrollTop = 0; });
  await member.page.locator('.msg .text', { hasText: 'line 001' }).waitFor();
  assert.equal(await member.page.locator('.msg').count(), 130);
  await member.page.locator('.older', { hasText: 'Beginning of the chat' }).waitFor();
  // the view stayed where the reader was, not jumping to the end
  const top = await member.page.locator('#messages').evaluate((el) => el.scrollTop);
  assert.ok(top > 0, 'scroll position kept after prepending');
  assertClean(owner, member);
});
