// The global room (696969): a "Global" entry above the chats, history on
// scroll, live messages from everyone, no read receipts, no group panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, user, send, shot, waitFor, apiCall, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Records every frame the page sends on its sockets in `window.sentFrames`. */
async function recordSentFrames(u) {
  await u.context.addInitScript(() => {
    const Native = window.WebSocket;
    window.sentFrames = [];
    window.WebSocket = class extends Native {
      send(data) { window.sentFrames.push(String(data)); super.send(data); }
    };
  });
  await u.page.reload();
  await u.page.locator('#conn.online').waitFor({ state: 'attached' });
}

async function openGlobal(page) {
  await page.locator('#global-entry').click();
  await waitFor(async () => (await page.locator('#chat-title').textContent()) === 'Global', 'Global open');
}

test('two users talk live in Global; older messages load on scroll; no receipts', async () => {
  const tag = randomBytes(3).toString('hex');
  const a = await user(browser, 'gaia');
  const b = await user(browser, 'gus');
  await recordSentFrames(b);

  // the entry sits above the chat list, before any group
  const first = b.page.locator('#chat-list .chat-item').first();
  assert.equal(await first.getAttribute('id'), 'global-entry');
  assert.equal(await b.page.locator('#global-entry .name').textContent(), 'Global');

  // more than the 100 messages get-global returns
  for (let i = 0; i < 110; i += 1) {
    const res = await apiCall(a.page, 'POST', '/x/room/sendMessage/group/696969', { text: `old ${i} ${tag}` });
    assert.equal(res.ok, true, JSON.stringify(res));
  }

  await openGlobal(b.page);
  await b.page.locator('.msg .text', { hasText: `old 109 ${tag}` }).waitFor();
  assert.equal(await b.page.locator('.msg .text', { hasText: `old 5 ${tag}` }).count(), 0, 'only the last 100 at first');
  // written by someone else: the author is named
  assert.equal(await b.page.locator('.msg:not(.mine) .author').first().isVisible(), true);
  // scrolling to the top fetches the page before
  await waitFor(async () => {
    await b.page.locator('#messages').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
    return (await b.page.locator('.msg .text', { hasText: `old 5 ${tag}` }).count()) === 1;
  }, 'older Global messages');

  // live both ways
  await openGlobal(a.page);
  await send(a.page, `hello everyone ${tag}`);
  await b.page.locator('.msg:not(.mine) .text', { hasText: `hello everyone ${tag}` }).waitFor();
  await send(b.page, `hi from gus ${tag}`);
  await a.page.locator('.msg:not(.mine) .text', { hasText: `hi from gus ${tag}` }).waitFor();
  // the list entry previews the latest message
  await waitFor(async () => (await a.page.locator('#global-entry .last').textContent()).includes(`hi from gus ${tag}`), 'preview');

  // no read receipts: no "Read by"/"Sent" line, and B never reported a read of Global
  assert.equal(await a.page.locator('.msg.mine .read').count(), 0);
  assert.equal(await b.page.locator('.msg.mine .read').count(), 0);
  const frames = await b.page.evaluate(() => window.sentFrames.map((f) => JSON.parse(f)));
  assert.deepEqual(frames.filter((f) => f.type === 'readAllMessages' && f.roomid === '696969'), []);
  // no members panel or owner controls
  assert.equal(await a.page.locator('#info-button').isVisible(), false);
  assert.equal(await a.page.locator('#panel').isVisible(), false);

  await shot(a.page, 'global-chat');
  await shot(b.page, 'global-chat-other-user');
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});
