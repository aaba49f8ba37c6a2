// Real calls in the web client: two browser contexts with Chromium's fake
// camera and microphone. A calls B from the one-to-one chat header, B's
// devices ring, B answers on one (the other stops ringing), both peer
// connections reach `connected`, A hangs up and both chats show the call with
// its duration. Declining reads "Call declined" on both sides; calling a
// friend with no open app says they are offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, openChat, apiCall, assertClean, shot, waitFor } from './helpers.js';

let browser;
let alice;
let bob;

async function befriend(a, b) {
  assert.equal((await apiCall(a.page, 'POST', '/x/profile/addfriend', { userid: b.id })).ok, true);
  assert.equal((await apiCall(b.page, 'POST', '/x/profile/acceptfriend', { userid: a.id })).ok, true);
}

/** Opens the one-to-one chat with `other` through the `/app?chat=` link. */
async function openDirect(u, other) {
  await u.page.goto(`/app?chat=${other.id}`);
  await waitFor(async () => (await u.page.locator('#chat-title').textContent()) === `User ${other.id}`, 'direct chat open');
  await u.page.locator('#conn.online').waitFor({ state: 'attached' });
}

before(async () => {
  browser = await launch();
  alice = await user(browser, 'alice');
  bob = await user(browser, 'bob');
  await befriend(alice, bob);
});
after(async () => { await browser?.close(); });

test('a video call rings every device, connects both sides and ends with its duration in both chats', async () => {
  await openDirect(alice, bob);
  await bob.page.reload();
  await bob.page.locator('#conn.online').waitFor({ state: 'attached' });
  // Bob's second device (another tab: another socket)
  const bobPhone = await bob.context.newPage();
  await bobPhone.goto('/app');
  await bobPhone.locator('#conn.online').waitFor({ state: 'attached' });

  await alice.page.locator('#video-call-button').click();
  await alice.page.locator('#call-view[data-phase="calling"]').waitFor();
  const from = `User ${alice.id}`;
  for (const page of [bob.page, bobPhone]) {
    await page.locator('#incoming-call[open]', { hasText: 'Incoming video call' }).waitFor();
    assert.equal(await page.locator('#incoming-call-from').textContent(), from);
  }
  await shot(bob.page, 'call-incoming');

  await bob.page.locator('#incoming-call').getByRole('button', { name: 'Accept' }).click();
  // the other device stops ringing
  await bobPhone.locator('#incoming-call').waitFor({ state: 'hidden' });
  assert.equal(await bobPhone.locator('#call-view').isVisible(), false);

  await alice.page.locator('#call-view[data-state="connected"]').waitFor();
  await bob.page.locator('#call-view[data-state="connected"]').waitFor();
  // the running duration ticks
  await alice.page.locator('#call-status', { hasText: /^0:0[1-9]$/ }).waitFor();
  await bob.page.locator('#call-mute').click();
  assert.equal(await bob.page.locator('#call-mute').textContent(), 'Unmute');
  assert.equal(await bob.page.evaluate(() => document.getElementById('call-local').srcObject.getAudioTracks()[0].enabled), false);
  await alice.page.locator('#call-camera').click();
  assert.equal(await alice.page.locator('#call-camera').textContent(), 'Camera on');
  assert.equal(await alice.page.evaluate(() => document.getElementById('call-local').srcObject.getVideoTracks()[0].enabled), false);
  await alice.page.locator('#call-camera').click();
  // the remote video plays on both sides
  for (const page of [alice.page, bob.page]) {
    await waitFor(() => page.evaluate(() => document.getElementById('call-remote').videoWidth > 0), 'remote video');
  }
  await shot(alice.page, 'call-in-call');

  await alice.page.locator('#call-hangup').click();
  await alice.page.locator('#call-view').waitFor({ state: 'hidden' });
  await bob.page.locator('#call-view').waitFor({ state: 'hidden' });
  await alice.page.locator('.msg.mine .text.call', { hasText: /📞 Call · \d+:\d\d/ }).waitFor();
  await openChat(bob.page, from);
  await bob.page.locator('.msg .text.call', { hasText: /📞 Call · \d+:\d\d/ }).waitFor();
  // the call message's signals do not hide the call buttons of a friend's chat
  await bob.page.locator('#video-call-button').waitFor();
  await shot(bob.page, 'call-message');
  await bobPhone.close();
  assertClean(alice, bob);
});

test('declining a call reads "Call declined" on both sides', async () => {
  await openDirect(alice, bob);
  await openDirect(bob, alice);
  await alice.page.locator('#voice-call-button').click();
  await bob.page.locator('#incoming-call[open]', { hasText: 'Incoming voice call' }).waitFor();
  await bob.page.locator('#incoming-call').getByRole('button', { name: 'Decline' }).click();
  await bob.page.locator('#incoming-call').waitFor({ state: 'hidden' });
  await alice.page.locator('#notice-text', { hasText: `User ${bob.id} declined the call.` }).waitFor();
  await alice.page.locator('#call-view').waitFor({ state: 'hidden' });
  await alice.page.locator('.msg.mine .text.call', { hasText: '📞 Call declined' }).last().waitFor();
  await bob.page.locator('.msg .text.call', { hasText: '📞 Call declined' }).last().waitFor();
  assertClean(alice, bob);
});

test('calling a friend who has no app open says they are offline', async () => {
  const carol = await user(browser, 'carol');
  await befriend(alice, carol);
  await carol.context.close();
  await openDirect(alice, carol);
  await alice.page.locator('#voice-call-button').click();
  await alice.page.locator('#notice-text', { hasText: `User ${carol.id} is offline.` }).waitFor();
  await alice.page.locator('#call-view').waitFor({ state: 'hidden' });
  await alice.page.locator('.msg.mine .text.call', { hasText: '📞 Missed call' }).waitFor();
  assertClean(alice);
});

test('no call buttons in a chat with someone who is not a friend', async () => {
  const dave = await user(browser, 'dave');
  await openDirect(alice, dave);
  assert.equal(await alice.page.locator('#voice-call-button').isVisible(), false);
  assert.equal(await alice.page.locator('#video-call-button').isVisible(), false);
  // becoming friends shows them live
  await befriend(alice, dave);
  await alice.page.locator('#voice-call-button').waitFor();
  await alice.page.locator('#video-call-button').waitFor();
  assertClean(alice, dave);
});
