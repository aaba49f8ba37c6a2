// "Notify me" in the profile panel. Headless Chromium has no push service:
// in Playwright's (incognito) contexts `pushManager.subscribe` fails with
// "Registration failed - permission denied", and in a persistent profile it
// never settles (no GCM). So the first test drives the real browser as far as
// it goes (permission, /sw.js registered, subscribe refused, the refusal
// shown); the second replaces only the browser's PushManager with one that
// hands out a real P-256 subscription for a local push endpoint, and proves
// the server stored what the client posted: with the user's app closed, a
// friend request is delivered to that endpoint as an encrypted Web Push.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launch, user, apiCall, assertClean, shot, waitFor, BASE } from './helpers.js';

let browser;
let pushService;
const received = [];
before(async () => {
  browser = await launch();
  pushService = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, length: Buffer.concat(chunks).length });
      res.writeHead(201).end();
    });
  });
  await new Promise((ok) => pushService.listen(0, '127.0.0.1', ok));
});
after(async () => {
  await browser?.close();
  pushService?.close();
});

async function openProfile(page) {
  await page.locator('#me-button').click();
  await page.locator('#push').waitFor();
}

test('Notify me asks, registers /sw.js and shows why this browser cannot subscribe', async () => {
  const ann = await user(browser, 'ann');
  await ann.context.grantPermissions(['notifications'], { origin: BASE });
  await openProfile(ann.page);
  await ann.page.locator('#push[data-state="off"]').waitFor();
  await shot(ann.page, 'push-notify-me');
  await ann.page.locator('#push-button').click();
  await ann.page.locator('#push-error', { hasText: /^This browser could not subscribe to push \(.+\)\.$/ }).waitFor();
  assert.equal(await ann.page.locator('#push').getAttribute('data-state'), 'off');
  assert.equal(await ann.page.locator('#push-button').isVisible(), true);
  const scope = await ann.page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.scope);
  assert.equal(scope, `${BASE}/`);
  assertClean(ann);
  await ann.context.close();
});

test('Notify me subscribes with the server key and the server pushes to that subscription', async () => {
  const endpoint = `http://127.0.0.1:${pushService.address().port}/push/${Date.now()}`;
  const ben = await user(browser, 'ben');
  const friend = await user(browser, 'friend');
  await ben.context.grantPermissions(['notifications'], { origin: BASE });
  // the browser's push service, replaced: a real key pair, a local endpoint
  await ben.context.addInitScript(({ url }) => {
    if (!window.PushManager) return;
    const KEY = 'test-push-subscription';
    const b64 = (u8) => btoa(String.fromCharCode(...u8)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const wrap = (json) => ({ endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => { localStorage.removeItem(KEY); return true; } });
    PushManager.prototype.subscribe = async (options) => {
      window.testSubscribeOptions = { userVisibleOnly: options.userVisibleOnly, key: b64(new Uint8Array(options.applicationServerKey)) };
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      const json = { endpoint: url, expirationTime: null, keys: { p256dh: b64(raw), auth: b64(crypto.getRandomValues(new Uint8Array(16))) } };
      localStorage.setItem(KEY, JSON.stringify(json));
      return wrap(json);
    };
    PushManager.prototype.getSubscription = async () => {
      const saved = localStorage.getItem(KEY);
      return saved ? wrap(JSON.parse(saved)) : null;
    };
  }, { url: endpoint });
  await ben.page.reload();
  await openProfile(ben.page);
  await ben.page.locator('#push-button').click();
  await ben.page.locator('#push[data-state="on"]').waitFor();
  assert.equal(await ben.page.locator('#push-state').textContent(), 'Notifications are on for this browser.');
  assert.equal(await ben.page.locator('#push-button').isVisible(), false);
  assert.equal(await ben.page.locator('#push-error').textContent(), '');
  const publicKey = (await apiCall(ben.page, 'GET', '/x/auth/isUser')).data.publicKey;
  assert.deepEqual(await ben.page.evaluate(() => window.testSubscribeOptions), { userVisibleOnly: true, key: publicKey });
  await shot(ben.page, 'push-on');

  // shown as on again after a reload
  await ben.page.reload();
  await openProfile(ben.page);
  await ben.page.locator('#push[data-state="on"]').waitFor();
  assertClean(ben, friend);

  // the app closed: a friend request reaches the stored subscription
  await ben.page.close();
  await waitFor(async () => {
    if (received.some((r) => r.url.startsWith(new URL(endpoint).pathname))) return true;
    await apiCall(friend.page, 'POST', '/x/profile/cancelfriend', { userid: ben.id });
    await apiCall(friend.page, 'POST', '/x/profile/addfriend', { userid: ben.id });
    await new Promise((r) => setTimeout(r, 300));
    return false;
  }, 'a push to the subscription', 20000);
  const push = received.find((r) => r.url === new URL(endpoint).pathname);
  assert.equal(push.method, 'POST');
  assert.equal(push.headers['content-encoding'], 'aes128gcm');
  assert.match(push.headers.authorization, /^vapid t=.+, k=/);
  assert.ok(push.length > 0);
  await ben.context.close();
});
