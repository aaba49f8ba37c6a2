// Shared helpers of the browser tests: one Chromium, one context per user,
// sign-in through the real UI, screenshots into artifacts/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

export const BASE = process.env.KIRIMIN_URL || 'http://127.0.0.1:8080';
export const ARTIFACTS = process.env.KIRIMIN_ARTIFACTS || join(process.cwd(), '..', '..', 'artifacts');

/** Launches Debian's Chromium headless (no browser download), with fake media devices. */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // calls: a fake camera and microphone, allowed without a prompt
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
}

/** A fresh unique e-mail address. */
export const email = (name) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

/**
 * A signed-in user in their own browser context. Dialogs (confirm) are
 * accepted; page errors and CSP violations are collected in `errors`.
 */
export async function user(browser, name, { viewport = { width: 1200, height: 800 }, base = BASE, colorScheme = 'light', displayName } = {}) {
  const context = await browser.newContext({ viewport, baseURL: base, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Uncaught/i.test(msg.text())) errors.push(msg.text());
  });
  page.on('dialog', (dialog) => dialog.accept());
  const address = email(name);
  await signIn(page, address, { displayName });
  const id = await page.evaluate(async () => (await (await fetch('/x/auth/isUser')).json()).data.me.id);
  return { context, page, errors, email: address, id, name };
}

/**
 * Signs in through the UI (the dev server pre-fills the code). A first
 * sign-in asks for a display name: it is given when `displayName` is set,
 * skipped otherwise.
 */
export async function signIn(page, address, { displayName } = {}) {
  await page.goto('/app');
  await page.locator('#email').fill(address);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.locator('#code').waitFor();
  await waitFor(async () => /^\d{6}$/.test(await page.locator('#code').inputValue()), 'code pre-filled');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#app:not([hidden]), #name-form:not([hidden])').first().waitFor();
  if (await page.locator('#name-form').isVisible()) {
    if (displayName) {
      await page.locator('#first-name').fill(displayName);
      await page.getByRole('button', { name: 'Save name' }).click();
    } else {
      await page.getByRole('button', { name: 'Skip for now' }).click();
    }
  }
  await page.locator('#app').waitFor();
  await page.locator('#conn.online').waitFor({ state: 'attached' });
}

/** Polls `fn` until it is truthy (10 s). */
export async function waitFor(fn, what = 'condition', timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Calls the API from inside the page (with its session cookie). */
export function apiCall(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const res = await fetch(p, { method: m, headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) });
    return res.json();
  }, [method, path, body]);
}

/** Creates a group through the UI; returns its id and invite URL. */
export async function createGroup(page, name) {
  await page.locator('#new-group-name').fill(name);
  await page.locator('#new-group').getByRole('button', { name: 'Create' }).click();
  await page.locator('#invite-link').waitFor();
  const link = await page.locator('#invite-link').inputValue();
  const id = (await page.evaluate(() => location.hash)).replace('#group:', '');
  return { id, link };
}

/** Joins a group through its invite page. */
export async function joinByInvite(page, link) {
  await page.goto(link);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL(/\/app#group:/);
  await page.locator('#conn.online').waitFor({ state: 'attached' });
}

/**
 * An owner and a guest signed in, a group created by the owner and joined by
 * the guest through the invite page, the guest shown in the owner's panel.
 */
export async function groupWithGuest(browser, ownerName, guestName, groupName) {
  const owner = await user(browser, ownerName);
  const guest = await user(browser, guestName);
  const { id, link } = await createGroup(owner.page, groupName);
  await joinByInvite(guest.page, link);
  await owner.page.locator(`#members [data-user-id="${guest.id}"]`).waitFor();
  return { owner, guest, id, link };
}

/** Opens a chat from the list by its name. */
export async function openChat(page, name) {
  await page.locator(`.chat-item[data-name="${name}"]`).click();
  await waitFor(async () => (await page.locator('#chat-title').textContent()) === name, `chat ${name} open`);
}

/** Sends a text message through the composer. */
export async function send(page, text) {
  await page.locator('#message-input').fill(text);
  await page.locator('#composer').getByRole('button', { name: 'Send' }).click();
  await page.locator('.msg.mine .text', { hasText: text }).last().waitFor();
}

/** Saves a screenshot to artifacts/NAME.png. */
export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Fails when a page logged an error or a CSP violation. */
export function assertClean(...users) {
  for (const u of users) assert.deepEqual(u.errors, [], `${u.name}: page errors`);
}
