// A call between two friends shows in their one-to-one chat as a call
// message that changes live: ringing, then missed once the caller gives up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, user, openChat, apiCall, assertClean, shot } from './helpers.js';

let browser;
let alice;
let bob;
before(async () => {
  browser = await launch();
  alice = await user(browser, 'alice');
  bob = await user(browser, 'bob');
  assert.equal((await apiCall(alice.page, 'POST', '/x/profile/addfriend', { userid: bob.id })).ok, true);
  assert.equal((await apiCall(bob.page, 'POST', '/x/profile/acceptfriend', { userid: alice.id })).ok, true);
});
after(async () => { await browser?.close(); });

/** Opens a second socket of the page's user (the "phone" that calls) and sends `frame` on it. */
function callFrom(page, frame) {
  return page.evaluate(async (f) => {
    if (!window.testPhone) {
      const data = (await (await fetch('/x/auth/isUser')).json()).data;
      const ws = new WebSocket(`ws://${data.socket.host}/socket?id=${data.socket.id}`);
      await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
      window.testPhone = ws;
    }
    window.testPhone.send(JSON.stringify({ identifier: 'kirimin', ...f }));
  }, frame);
}

test('a call appears in both chats and reads "Missed call" once the caller hangs up', async () => {
  await callFrom(alice.page, { type: 'offer', to: bob.id, sdp: { type: 'offer', sdp: 'v=0' }, video: false });
  const bobName = `User ${bob.id}`;
  const aliceName = `User ${alice.id}`;
  await alice.page.locator(`.chat-item[data-name="${bobName}"] .last`, { hasText: 'Calling' }).waitFor();
  await bob.page.locator(`.chat-item[data-name="${aliceName}"] .last`, { hasText: 'Calling' }).waitFor();
  // it rings, and the chats stay usable meanwhile
  await bob.page.locator('#incoming-call[open]', { hasText: aliceName }).waitFor();
  await openChat(bob.page, aliceName);
  await bob.page.locator('.msg .text.call', { hasText: '📞 Calling…' }).waitFor();

  await callFrom(alice.page, { type: 'hangup', to: bob.id });
  await bob.page.locator('.msg .text.call', { hasText: '📞 Missed call' }).waitFor();
  // the caller gave up: no more ringing
  await bob.page.locator('#incoming-call').waitFor({ state: 'hidden' });
  await openChat(alice.page, bobName);
  await alice.page.locator('.msg.mine .text.call', { hasText: '📞 Missed call' }).waitFor();
  assert.equal(await bob.page.locator('.msg .text.call', { hasText: 'Calling' }).count(), 0);
  await shot(bob.page, 'call-missed');
  assertClean(alice, bob);
});
