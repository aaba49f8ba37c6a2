// Group management from the panel: rename, reset link, leave, disband;
// what the other member sees each time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, createGroup, joinByInvite, groupWithGuest, waitFor, shot, assertClean, email, send } from './helpers.js';

// a 2×2 red PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('rename and reset link; the old invite link stops working', async () => {
  const owner = await user(browser, 'carol');
  const guest = await user(browser, 'dave');
  const { link } = await createGroup(owner.page, 'Hiking');

  await owner.page.locator('#group-name').fill('Hiking Club');
  await owner.page.locator('#rename-form').getByRole('button', { name: 'Rename' }).click();
  await waitFor(async () => (await owner.page.locator('#chat-title').textContent()) === 'Hiking Club', 'renamed title');
  await owner.page.locator('.chat-item[data-name="Hiking Club"]').waitFor();

  // a second rename hits the cooldown, shown as "try again at ..."
  await owner.page.locator('#group-name').fill('Hiking Friends');
  await owner.page.locator('#rename-form').getByRole('button', { name: 'Rename' }).click();
  await waitFor(async () => (await owner.page.locator('#group-error').textContent()) !== '', 'cooldown shown');
  assert.match(await owner.page.locator('#group-error').textContent(), /try again at /);

  // a group picture
  await owner.page.locator('#group-image-input').setInputFiles({ name: 'g.png', mimeType: 'image/png', buffer: PNG });
  const picture = owner.page.locator('#panel .group-image');
  await picture.waitFor();
  await waitFor(() => picture.evaluate((el) => el.complete && el.naturalWidth === 2), 'group picture loaded');
  await owner.page.locator('.chat-item[data-name="Hiking Club"] img.avatar').waitFor();

  await owner.page.locator('#reset-link').click();
  await waitFor(async () => (await owner.page.locator('#invite-link').inputValue()) !== link, 'new link');
  const fresh = await owner.page.locator('#invite-link').inputValue();

  await guest.page.goto(link);
  await guest.page.locator('#invite-status', { hasText: 'does not exist' }).waitFor();
  assert.equal(await guest.page.getByRole('button', { name: 'Join' }).count(), 0);

  await guest.page.goto(fresh);
  await guest.page.locator('#invite-name', { hasText: 'Hiking Club' }).waitFor();
  await joinByInvite(guest.page, fresh);
  assert.equal(await guest.page.locator('#chat-title').textContent(), 'Hiking Club');
  assertClean(owner, guest);
  await owner.context.close();
  await guest.context.close();
});

test('a member leaves: the owner sees the members panel update', async () => {
  const { owner, guest } = await groupWithGuest(browser, 'erin', 'frank', 'Chess');

  await guest.page.getByRole('button', { name: 'Group' }).click();
  // members see no owner controls
  assert.equal(await guest.page.locator('.kick').count(), 0);
  assert.equal(await guest.page.locator('#reset-link').count(), 0);
  await guest.page.locator('#leave').click();
  await waitFor(async () => (await guest.page.locator('.chat-item[data-name="Chess"]').count()) === 0, 'left');
  await waitFor(async () => (await owner.page.locator(`#members [data-user-id="${guest.id}"]`).count()) === 0, 'memberleave applied');
  assert.equal(await owner.page.locator('#members .person').count(), 1);
  await owner.context.close();
  await guest.context.close();
});

test('the owner disbands after confirming; the member is told the group was disbanded', async () => {
  const { owner, guest } = await groupWithGuest(browser, 'gina', 'hank', 'Band');

  // first the owner changes their mind: nothing happens
  owner.page.removeAllListeners('dialog');
  let question = '';
  owner.page.once('dialog', (d) => { question = d.message(); d.dismiss(); });
  await owner.page.locator('#disband').click();
  await waitFor(() => question !== '', 'confirmation asked');
  assert.match(question, /Disband "Band"\?/);
  assert.equal(await owner.page.locator('.chat-item[data-name="Band"]').count(), 1);

  owner.page.once('dialog', (d) => d.accept());
  await owner.page.locator('#disband').click();
  await waitFor(async () => (await owner.page.locator('.chat-item[data-name="Band"]').count()) === 0, 'disbanded for owner');
  await guest.page.locator('#notice-text', { hasText: 'The group "Band" was disbanded by its owner.' }).waitFor();
  await waitFor(async () => (await guest.page.locator('.chat-item[data-name="Band"]').count()) === 0, 'gone for member');
  await shot(guest.page, 'member-disbanded');
  assertClean(owner, guest);
  await owner.context.close();
  await guest.context.close();
});

test('a signed-out visitor of an invite signs in and comes back to join', async () => {
  const owner = await user(browser, 'iris');
  const { link } = await createGroup(owner.page, 'Garden');
  const context = await browser.newContext({ baseURL: owner.page.url() });
  const page = await context.newPage();
  await page.goto(link);
  await page.locator('#invite-name', { hasText: 'Garden' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Join' }).count(), 0);
  await page.getByRole('link', { name: 'Sign in to join' }).click();
  await page.waitForURL(/\/app\?next=/);
  await page.locator('#email').fill(email('jules'));
  await page.getByRole('button', { name: 'Send code' }).click();
  await waitFor(async () => /^\d{6}$/.test(await page.locator('#code').inputValue()), 'code pre-filled');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // a new account is asked for a name first
  await page.locator('#first-name').fill('Jules');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.waitForURL(/\/invite\//);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL(/\/app#group:/);
  await waitFor(async () => (await page.locator('#chat-title').textContent()) === 'Garden', 'joined');
  await owner.page.locator('#members .person').nth(1).waitFor();
  assertClean(owner);
  await context.close();
  await owner.context.close();
});

test('unread counts, read receipts and clear history', async () => {
  const owner = await user(browser, 'kim');
  const guest = await user(browser, 'leo');
  const { link } = await createGroup(owner.page, 'Quiet');
  await joinByInvite(guest.page, link);
  // the guest looks at another chat while messages arrive
  await createGroup(guest.page, 'Elsewhere');
  await send(owner.page, 'one');
  await send(owner.page, 'two');
  const badge = guest.page.locator('.chat-item[data-name="Quiet"] .badge');
  await waitFor(async () => (await badge.count()) && (await badge.textContent()) === '2', 'two unread');
  assert.equal(await owner.page.locator('.msg.mine .read', { hasText: 'Read' }).count(), 0);
  await guest.page.locator('.chat-item[data-name="Quiet"]').click();
  await waitFor(async () => (await badge.count()) === 0, 'badge cleared');
  await waitFor(async () => (await owner.page.locator('.msg.mine .read', { hasText: 'Read by all' }).count()) === 2, 'read receipts');

  await owner.page.locator('#clear-history').click();
  await guest.page.locator('.older', { hasText: 'No messages yet' }).waitFor();
  assert.equal(await guest.page.locator('.msg').count(), 0);
  assertClean(owner, guest);
  await owner.context.close();
  await guest.context.close();
});
