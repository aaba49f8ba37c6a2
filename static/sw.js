// kirimin's service worker: shows a notification for every Web Push message
// (payload { title, text, tag, url }) and opens or focuses `url` on a click.
'use strict';

const HOME = '/app';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// Only pages of this site are opened; anything else falls back to the app.
function sameOrigin(url) {
  try {
    const u = new URL(typeof url === 'string' && url ? url : HOME, self.location.origin);
    if (u.origin === self.location.origin) return u.href;
  } catch (_) {
    // not a URL: fall through
  }
  return new URL(HOME, self.location.origin).href;
}

self.addEventListener('push', (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json() || {};
    } catch (_) {
      data = { text: event.data.text() };
    }
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'Kirimin';
  const options = {
    body: typeof data.text === 'string' ? data.text : '',
    data: { url: sameOrigin(data.url) },
  };
  if (typeof data.tag === 'string' && data.tag) {
    // One notification per tag; a newer one replaces it and alerts again.
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = sameOrigin(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const exact = windows.find((w) => w.url === url);
    if (exact) return exact.focus();
    const ours = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (ours) {
      try {
        const focused = await ours.focus();
        return await focused.navigate(url);
      } catch (_) {
        // an uncontrolled window cannot be navigated: open a new one
      }
    }
    return self.clients.openWindow(url);
  })());
});
