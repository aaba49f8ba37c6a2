// The rough edges a first-time user hit (issue 15, items 5-10): a name on
// first sign-in, the whole invite link, notices and the reconnect banner
// beside (not over) the chat header, read state after a kick, favicon and a
// not-found page, one button style in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, user, email, waitFor, createGroup, groupWithGuest, openChat, send, shot, apiCall, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function codeStep(page, address) {
  await page.goto('/app');
  await page.locator('#email').fill(address);
  await page.getByRole('button', { name: 'Send code' }).click();
  await waitFor(async () => /^\d{6}$/.test(await page.locator('#code').inputValue()), 'code pre-filled');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the first sign-in asks for a display name; later sign-ins do not', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, baseURL: BASE });
  const page = await context.newPage();
  const address = email('ada');
  await codeStep(page, address);
  await page.locator('#name-form').waitFor();
  await shot(page, 'first-signin-name');
  await page.locator('#first-name').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.locator('#conn.online').waitFor({ state: 'attached' });
  assert.match(await page.locator('#me-name').textContent(), /^Ada Lovelace \(@u\d+\)$/);

  // the next sign-in goes straight to the app
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.locator('#email-form').waitFor();
  await codeStep(page, address);
  await page.locator('#conn.online').waitFor({ state: 'attached' });
  assert.equal(await page.locator('#name-form').isVisible(), false);
  await context.close();

  // skipping keeps the generated name
  const skipper = await user(browser, 'skip');
  assert.match(await skipper.page.locator('#me-name').textContent(), /^User \d+ \(@u\d+\)$/);
  assertClean(skipper);
  await skipper.context.close();
});

test('the invite link is shown whole', async () => {
  for (const viewport of [{ width: 1200, height: 800 }, { width: 390, height: 780 }]) {
    const owner = await user(browser, 'linker', { viewport });
    const { link } = await createGroup(owner.page, 'Long Link Club');
    const field = owner.page.locator('#invite-link');
    assert.equal(await field.inputValue(), link);
    const fits = await field.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 1);
    assert.equal(fits, true, `the whole link is visible at ${viewport.width}px`);
    await shot(owner.page, `invite-link-whole-${viewport.width}`);
    assertClean(owner);
    await owner.context.close();
  }
});

/** Whether two element boxes overlap. */
async function overlap(page, a, b) {
  const [x, y] = [await page.locator(a).boundingBox(), await page.locator(b).boundingBox()];
  return x.x < y.x + y.width && y.x < x.x + x.width && x.y < y.y + y.height && y.y < x.y + x.height;
}

test('notices and the reconnect banner never cover the chat header', async () => {
  const a = await user(browser, 'nora');
  const b = await user(browser, 'otto');
  await createGroup(a.page, 'Header Watch');
  // a friend request makes a notice appear on A's page
  const res = await apiCall(b.page, 'POST', '/x/profile/addfriend', { userid: a.id });
  assert.equal(res.ok, true);
  await a.page.locator('#notice-text', { hasText: 'sent you a friend request' }).waitFor();
  assert.equal(await overlap(a.page, '#notice', '.chat-head'), false, 'notice beside the header');
  assert.equal(await a.page.locator('#chat-title').isVisible(), true);
  await shot(a.page, 'notice-above-chat-header');
  await a.page.locator('#notice-close').click();

  // offline: a clear banner until the socket is back
  assert.equal(await a.page.locator('#offline-banner').isVisible(), false);
  await a.context.setOffline(true);
  await a.page.evaluate(() => window.kirimin.drop());
  const banner = a.page.locator('#offline-banner');
  await banner.waitFor();
  assert.equal(await banner.textContent(), 'Connection lost. Reconnecting…');
  assert.equal(await overlap(a.page, '#offline-banner', '.chat-head'), false, 'banner beside the header');
  await shot(a.page, 'reconnecting-banner');
  await a.context.setOffline(false);
  await banner.waitFor({ state: 'hidden', timeout: 20000 });
  await a.page.locator('#conn.online').waitFor({ state: 'attached' });
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});

test('after a kick the live read state is what a reload shows', async () => {
  const { owner, guest, id } = await groupWithGuest(browser, 'reader', 'kicked', 'Receipts');
  await send(owner.page, 'read me please');
  const line = owner.page.locator('.msg.mine', { hasText: 'read me please' }).locator('.read');
  await waitFor(async () => (await line.textContent()) === 'Read by all', 'read by the guest');

  await owner.page.locator(`#members [data-user-id="${guest.id}"] .kick`).click();
  await waitFor(async () => (await owner.page.locator(`#members [data-user-id="${guest.id}"]`).count()) === 0, 'guest gone');
  const live = await line.textContent();
  await shot(owner.page, 'read-state-after-kick');

  await owner.page.reload();
  await owner.page.locator('#conn.online').waitFor({ state: 'attached' });
  if (!(await owner.page.locator('.msg.mine', { hasText: 'read me please' }).count())) await openChat(owner.page, 'Receipts');
  const reloaded = await line.textContent();
  assert.equal(live, reloaded);
  assert.equal(reloaded, 'Sent', 'a departed member is no reader');
  assert.ok(id);
  assertClean(owner, guest);
  await owner.context.close();
  await guest.context.close();
});

test('a favicon, and a small page for unknown paths opened in a browser', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  const page = await context.newPage();
  const icon = await page.goto(`${BASE}/favicon.ico`);
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/x-icon');
  const missing = await page.goto(`${BASE}/no/such/page`);
  assert.equal(missing.status(), 404);
  assert.equal(await page.locator('h1').textContent(), 'Page not found');
  await shot(page, 'not-found-page');
  await page.getByRole('link', { name: 'Open Kirimin' }).click();
  await page.waitForURL(/\/app$/);
  await page.locator('#email').waitFor();
  await context.close();
});

const STYLE = ['background-color', 'color', 'border-radius', 'font-weight', 'text-decoration-line', 'padding-left', 'border-top-color'];
const styleOf = (locator) => locator.evaluate((el, props) => {
  const cs = getComputedStyle(el);
  return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
}, STYLE);
const brightness = (page) => page.evaluate(() => {
  const [r, g, b] = getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g).map(Number);
  return (r + g + b) / 3;
});

test('Sign out, Sign in to join and Join share one button style, light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const owner = await user(browser, 'styler', { colorScheme });
    const signOut = await styleOf(owner.page.locator('#logout'));
    assert.equal(signOut['text-decoration-line'], 'none');
    assert.notEqual(signOut['background-color'], 'rgba(0, 0, 0, 0)');
    const bright = await brightness(owner.page);
    assert.ok(colorScheme === 'dark' ? bright < 80 : bright > 200, `${colorScheme} page background (${bright})`);
    const { link } = await createGroup(owner.page, `Styled ${colorScheme}`);
    await shot(owner.page, `app-${colorScheme}`);

    const guest = await user(browser, 'visitor', { colorScheme });
    await guest.page.goto(link);
    const join = guest.page.getByRole('button', { name: 'Join' });
    await join.waitFor();
    assert.deepEqual(await styleOf(join), signOut);
    await shot(guest.page, `invite-join-${colorScheme}`);

    const anon = await browser.newContext({ colorScheme, viewport: { width: 1200, height: 800 }, baseURL: BASE });
    const page = await anon.newPage();
    await page.goto(link);
    const signIn = page.getByRole('link', { name: 'Sign in to join' });
    await signIn.waitFor();
    assert.deepEqual(await styleOf(signIn), signOut);
    await shot(page, `invite-signin-${colorScheme}`);
    assertClean(owner, guest);
    await anon.close();
    await owner.context.close();
    await guest.context.close();
  }
});
