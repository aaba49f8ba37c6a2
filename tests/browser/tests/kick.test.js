// The required scenario: owner and member in two contexts; create, join by
// invite page, live messages both ways, XSS stays text, kick from the
// members panel, the member sees the removal without reloading.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, createGroup, joinByInvite, openChat, send, shot, waitFor, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('owner and member chat live, then the owner kicks the member', async () => {
  const owner = await user(browser, 'owner');
  const member = await user(browser, 'member', { viewport: { width: 390, height: 780 } });

  const group = await createGroup(owner.page, 'Tea Club');
  assert.match(group.link, /\/invite\//);

  // the invite page is HTML with a preview and a Join button
  await member.page.goto(group.link);
  await member.page.locator('#invite-name', { hasText: 'Tea Club' }).waitFor();
  assert.equal(await member.page.locator('#invite-members').textContent(), '1 member');
  await joinByInvite(member.page, group.link);
  await waitFor(async () => (await member.page.locator('#chat-title').textContent()) === 'Tea Club', 'member in chat');

  // the owner's members panel shows the newcomer live (memberjoin)
  await owner.page.locator(`#members [data-user-id="${member.id}"]`).waitFor();

  // live both ways
  await send(owner.page, 'Welcome to the club');
  await member.page.locator('.msg:not(.mine) .text', { hasText: 'Welcome to the club' }).waitFor();
  await send(member.page, 'Thanks, happy to be here');
  await owner.page.locator('.msg:not(.mine) .text', { hasText: 'Thanks, happy to be here' }).waitFor();

  // an XSS attempt is shown literally and never runs
  const xss = '<img src=x onerror=alert(1)>';
  await send(member.page, xss);
  const seen = owner.page.locator('.msg:not(.mine) .text', { hasText: xss });
  await seen.waitFor();
  assert.equal(await seen.textContent(), xss);
  assert.equal(await owner.page.locator('.messages img:not(.media)').count(), 0);
  assert.equal(await owner.page.evaluate(() => document.querySelectorAll('img[src="x"]').length), 0);
  // the list preview shows it as text too
  const previewOf = (page) => page.locator('.chat-item[data-name="Tea Club"] .last').textContent();
  await waitFor(async () => (await previewOf(member.page)) === `You: ${xss}`, 'member preview is the literal text');
  assert.equal(await member.page.locator('#chat-list img:not(.avatar)').count(), 0);

  // read state: the owner's message was read by the member
  await owner.page.locator('.msg.mine .read', { hasText: /Read/ }).first().waitFor();

  // kick from the members panel
  await owner.page.locator(`#members [data-user-id="${member.id}"] .kick`).click();
  await waitFor(async () => (await owner.page.locator(`#members [data-user-id="${member.id}"]`).count()) === 0, 'member gone from panel');

  // the member's page says so plainly, without a reload, and the group is gone
  const banner = member.page.locator('#notice');
  await banner.waitFor();
  assert.equal(await banner.locator('#notice-text').textContent(), 'You were removed from the group "Tea Club" by its owner.');
  await waitFor(async () => (await member.page.locator('.chat-item[data-name="Tea Club"]').count()) === 0, 'group gone from list');
  assert.equal(await member.page.locator('#composer').isVisible(), false);
  // the open chat was the group: the member now sees no chat, the owner one member
  assert.equal(await member.page.locator('#chat-title').textContent(), 'Pick a chat');
  assert.equal(await owner.page.locator('#panel-body .muted').first().textContent(), '1 member');
  // and the server agrees: the group is gone from the member's isUser
  const groups = await member.page.evaluate(async () => (await (await fetch('/x/auth/isUser')).json()).data.c.map((c) => c.r.id));
  assert.equal(groups.includes(group.id), false);

  await shot(owner.page, 'owner-after-kick');
  await shot(member.page, 'member-kicked');

  // sending to the group is refused now
  const answer = await member.page.evaluate(async (gid) => (await (await fetch(`/x/room/sendMessage/group/${gid}`, { method: 'POST', body: JSON.stringify({ text: 'hi' }) })).json()).msg, group.id);
  assert.equal(answer, 'GRP_KICKED');
  await openChat(owner.page, 'Tea Club');
  assertClean(owner, member);
  await owner.context.close();
  await member.context.close();
});
