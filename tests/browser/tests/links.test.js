// Links other Kirimin clients and push messages use: /app?chat={id},
// /app?user={id}, /app?invite={link}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, createGroup, waitFor, shot, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const title = (page) => page.locator('#chat-title').textContent();

async function visit(page, query) {
  await page.goto(`/app?${query}`);
  await page.locator('#conn.online').waitFor({ state: 'attached' });
}

test('?chat= opens a group, a one-to-one chat or Global; ?user= a profile', async () => {
  const a = await user(browser, 'lina', { displayName: 'Lina Link' });
  const b = await user(browser, 'milo', { displayName: 'Milo Link' });
  const { id } = await createGroup(a.page, 'Linked Group');
  await a.page.locator('#panel-close').click();

  // a group of mine, from a fresh load of another page
  await a.page.goto('/app');
  await a.page.locator('#conn.online').waitFor({ state: 'attached' });
  assert.equal(await title(a.page), 'Pick a chat');
  await visit(a.page, `chat=${id}`);
  await waitFor(async () => (await title(a.page)) === 'Linked Group', 'group opened by link');
  // the query is consumed (a reload does not repeat it)
  assert.equal(new URL(a.page.url()).search, '');

  // a user id: the one-to-one chat with them, even before any message
  await visit(a.page, `chat=${b.id}`);
  await waitFor(async () => (await title(a.page)) === 'Milo Link', 'direct chat opened by link');
  assert.equal(await a.page.locator('#composer').isVisible(), true);

  // the global room
  await visit(a.page, 'chat=696969');
  await waitFor(async () => (await title(a.page)) === 'Global', 'Global opened by link');

  // ?user=: that user's profile with friend actions
  await visit(a.page, `user=${b.id}`);
  const profile = a.page.locator(`#user-profile[data-user-id="${b.id}"]`);
  await profile.waitFor();
  assert.equal(await profile.locator('.person-name').textContent(), 'Milo Link');
  await shot(a.page, 'link-user-profile');
  await profile.getByRole('button', { name: 'Add friend' }).click();
  await profile.getByText('Friend request sent.').waitFor();
  await profile.getByRole('button', { name: 'Message' }).click();
  await waitFor(async () => (await title(a.page)) === 'Milo Link', 'message from the profile');

  // an unknown chat says so
  await visit(a.page, 'chat=999999999999');
  await a.page.locator('#notice-text', { hasText: 'That chat was not found.' }).waitFor();
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});

test('?invite= opens the join dialog for that invite link', async () => {
  const owner = await user(browser, 'owen');
  const guest = await user(browser, 'gwen');
  const { id, link } = await createGroup(owner.page, 'Dialog Club');

  // the whole invite URL, as other clients share it
  await visit(guest.page, `invite=${encodeURIComponent(link)}`);
  const dialog = guest.page.locator('#join-dialog');
  await dialog.locator('#join-dialog-name', { hasText: 'Dialog Club' }).waitFor();
  assert.equal(await dialog.isVisible(), true);
  await shot(guest.page, 'link-invite-dialog');
  await dialog.getByRole('button', { name: 'Join' }).click();
  await waitFor(async () => (await title(guest.page)) === 'Dialog Club', 'joined from the dialog');
  assert.equal(await dialog.isVisible(), false);
  await owner.page.locator(`#members [data-user-id="${guest.id}"]`).waitFor();

  // the bare link code works too; a member is offered the chat
  const code = link.split('/invite/')[1];
  await visit(guest.page, `invite=${code}`);
  await dialog.getByRole('button', { name: 'Open chat' }).click();
  await waitFor(async () => new URL(guest.page.url()).hash === `#group:${id}`, 'chat open');

  // a dead link says so in words
  await visit(guest.page, 'invite=no-such-link');
  await dialog.getByText('This group or invite link does not exist (any more).').waitFor();
  await shot(guest.page, 'link-invite-dialog-dead');
  assertClean(owner, guest);
  await owner.context.close();
  await guest.context.close();
});
