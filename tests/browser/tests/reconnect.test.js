// The socket comes back after a drop (forced close, server restart) with a
// fresh isUser, and what was missed meanwhile shows up without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { launch, user, createGroup, joinByInvite, groupWithGuest, send, waitFor, apiCall, assertClean } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const online = (page) => page.locator('#conn').evaluate((el) => el.classList.contains('online'));

test('a forced socket close reconnects and catches up', async () => {
  const a = await user(browser, 'liam');
  const b = await user(browser, 'mona');
  const { id, link } = await createGroup(a.page, 'Night Shift');
  await joinByInvite(b.page, link);

  await b.page.evaluate(() => window.kirimin.drop());
  await waitFor(async () => !(await online(b.page)), 'shown offline');
  // sent while B is away: B gets it from the fresh isUser or live
  const res = await apiCall(a.page, 'POST', `/x/room/sendMessage/group/${id}`, { text: 'while you were out' });
  assert.equal(res.ok, true);
  await waitFor(() => online(b.page), 'back online', 10000);
  await b.page.locator('.msg .text', { hasText: 'while you were out' }).waitFor();
  // and live again afterwards
  await send(a.page, 'and now live');
  await b.page.locator('.msg .text', { hasText: 'and now live' }).waitFor();
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});

test('a kick missed while offline is reported after reconnecting', async () => {
  const { owner, guest, id } = await groupWithGuest(browser, 'rita', 'sam', 'Offline Club');

  await guest.context.setOffline(true);
  await guest.page.evaluate(() => window.kirimin.drop());
  await waitFor(async () => !(await online(guest.page)), 'guest offline');
  const res = await apiCall(owner.page, 'POST', `/x/group/kick/${id}/${guest.id}`, {});
  assert.equal(res.ok, true);
  await guest.context.setOffline(false);
  await waitFor(() => online(guest.page), 'guest back', 20000);
  await guest.page.locator('#notice-text', { hasText: 'You are no longer a member of "Offline Club".' }).waitFor();
  assert.equal(await guest.page.locator('.chat-item[data-name="Offline Club"]').count(), 0);
  assertClean(owner, guest);
  await owner.context.close();
  await guest.context.close();
});

test('a signal delivered twice is applied once (de-duplicated by key)', async () => {
  const a = await user(browser, 'pia');
  const b = await user(browser, 'quinn');
  // B's page gets every socket frame twice from now on
  await b.context.addInitScript(() => {
    const Native = window.WebSocket;
    window.receivedKeys = new Set();
    window.WebSocket = class extends Native {
      set onmessage(fn) {
        super.onmessage = (ev) => {
          window.receivedKeys.add(JSON.parse(ev.data).key);
          fn(ev);
          fn(new MessageEvent('message', { data: ev.data }));
        };
      }
    };
  });
  const { link } = await createGroup(a.page, 'Echo');
  await joinByInvite(b.page, link);
  await send(a.page, 'only once please');
  await b.page.locator('.msg .text', { hasText: 'only once please' }).waitFor();
  await send(a.page, 'and this once too');
  await b.page.locator('.msg .text', { hasText: 'and this once too' }).waitFor();
  assert.equal(await b.page.locator('.msg').count(), 2);
  const { keys, applied } = await b.page.evaluate(() => ({ keys: window.receivedKeys.size, applied: window.kirimin.applied }));
  assert.ok(keys >= 2, 'signals arrived');
  assert.equal(applied, keys, 'each key applied exactly once');
  const badge = b.page.locator('.chat-item[data-name="Echo"] .badge');
  assert.equal(await badge.count(), 0);
  assertClean(a, b);
  await a.context.close();
  await b.context.close();
});

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the server binary and waits for /healthz. */
async function startServer(port, dataDir) {
  const child = spawn(process.env.KIRIMIN_BIN, ['--bind', `127.0.0.1:${port}`, '--data-dir', dataDir,
    '--dev-expose-otp', '--rate-limit', 'off'], { stdio: 'ignore' });
  await waitFor(async () => {
    try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok; } catch { return false; }
  }, 'server up', 20000);
  return child;
}

async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await done;
}

test('a server restart: pages reconnect with fresh socket ids and chat live', { skip: !process.env.KIRIMIN_BIN && 'KIRIMIN_BIN not set' }, async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kirimin-restart-'));
  let server = await startServer(port, dataDir);
  try {
    const base = `http://127.0.0.1:${port}`;
    const a = await user(browser, 'nina', { base });
    const b = await user(browser, 'omar', { base });
    const { link } = await createGroup(a.page, 'Restart');
    await joinByInvite(b.page, link);
    await send(a.page, 'before the restart');
    await b.page.locator('.msg .text', { hasText: 'before the restart' }).waitFor();

    await stopServer(server);
    await waitFor(async () => !(await online(a.page)) && !(await online(b.page)), 'both offline');
    server = await startServer(port, dataDir);
    await waitFor(async () => (await online(a.page)) && (await online(b.page)), 'both back', 20000);

    await send(b.page, 'after the restart');
    await a.page.locator('.msg:not(.mine) .text', { hasText: 'after the restart' }).waitFor();
    await send(a.page, 'still here');
    await b.page.locator('.msg:not(.mine) .text', { hasText: 'still here' }).waitFor();
    assertClean(a, b);
    await a.context.close();
    await b.context.close();
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
