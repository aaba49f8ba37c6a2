/**
 * The "Notify me" control of the profile panel: registers /sw.js, subscribes
 * to push with the server's VAPID key (isUser's `publicKey`) and hands the
 * subscription to `POST /x/account/subscribe`. Shows the state: on, off,
 * blocked (notifications denied) or not supported.
 */

import { api, errorText } from './api.js';
import { h } from './dom.js';
import { state } from './state.js';

/** URL-safe base64 (padding optional) → bytes. */
function keyBytes(b64) {
  const std = b64.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window
  && 'Notification' in window && Boolean(state.publicKey);

/** 'on' | 'off' | 'blocked' | 'unsupported' as far as this browser knows. */
async function currentState() {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  if (Notification.permission !== 'granted') return 'off';
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  return sub ? 'on' : 'off';
}

/** Asks permission, subscribes and stores the subscription on the server. */
async function subscribe() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'blocked' : 'off';
  const reg = await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  let sub;
  try {
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(state.publicKey) });
  } catch (err) {
    throw new Error(`This browser could not subscribe to push (${err.message || err.name}).`);
  }
  try {
    await api.subscribe(sub.toJSON());
  } catch (err) {
    // not stored: do not leave a subscription the server does not know
    await sub.unsubscribe().catch(() => {});
    throw new Error(`The server did not store the subscription: ${errorText(err)}`);
  }
  return 'on';
}

const TEXT = {
  on: 'Notifications are on for this browser.',
  off: 'Get a notification for new messages and friend requests while the app is closed.',
  blocked: 'Notifications are blocked for this site: allow them in the browser settings.',
  unsupported: 'This browser does not support push notifications.',
};

/** The panel section; it fills in its state asynchronously. */
export function pushSection() {
  const line = h('p', { id: 'push-state', class: 'muted push-state', role: 'status' });
  const error = h('p', { id: 'push-error', class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', id: 'push-button', class: 'primary', text: 'Notify me', hidden: true });
  const section = h('section', { id: 'push', 'data-state': 'unknown' }, h('h3', { text: 'Notifications' }), button, line, error);
  const show = (s) => {
    section.dataset.state = s;
    line.textContent = TEXT[s];
    button.hidden = s !== 'off';
  };
  button.onclick = async () => {
    error.textContent = '';
    button.disabled = true;
    try { show(await subscribe()); } catch (err) { error.textContent = err.message; } finally { button.disabled = false; }
  };
  currentState().then(show, () => show('unsupported'));
  return section;
}
