/**
 * The live connection: one WebSocket opened with the socket config of
 * isUser, re-opened with exponential backoff (and a fresh isUser) after any
 * drop, signals de-duplicated by `key` before they reach the app.
 */

const SEEN_MAX = 2000;

/** Builds the socket URL from isUser's `socket` ({id, host}). */
export function socketUrl(socket) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let host = socket.host || location.host;
  // a wildcard bind address is no place to connect to: use the page's host
  if (/^(0\.0\.0\.0|\[::\])(:|$)/.test(host)) host = location.host;
  return `${scheme}://${host}/socket?id=${encodeURIComponent(socket.id)}`;
}

/**
 * Starts the connection loop.
 * - `fetchSocket()` → resolves to `{id, host}` (calls isUser, resyncs state),
 *   or null when signed out (the loop stops);
 * - `onSignal(signal)` for every new signal;
 * - `onStatus('online' | 'offline' | 'connecting')`.
 * Returns `{ send(frame), drop(), stop() }`.
 */
export function connect({ fetchSocket, onSignal, onStatus }) {
  const seen = new Set();
  let ws = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function remember(key) {
    seen.add(key);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value);
  }

  function retry() {
    if (stopped) return;
    const delay = Math.min(30000, 500 * 2 ** attempt) + Math.random() * 300;
    attempt += 1;
    onStatus('offline');
    clearTimeout(timer);
    timer = setTimeout(open, delay);
  }

  async function open() {
    if (stopped) return;
    onStatus('connecting');
    let socket;
    try {
      socket = await fetchSocket();
    } catch {
      retry();
      return;
    }
    if (!socket) { stopped = true; onStatus('offline'); return; }
    const current = new WebSocket(socketUrl(socket));
    ws = current;
    current.onopen = () => { attempt = 0; onStatus('online'); };
    current.onmessage = (ev) => {
      let signal;
      try { signal = JSON.parse(ev.data); } catch { return; }
      if (!signal || typeof signal !== 'object') return;
      if (signal.key) {
        if (seen.has(signal.key)) return;
        remember(signal.key);
      }
      onSignal(signal);
    };
    current.onclose = () => {
      if (ws !== current) return;
      ws = null;
      retry();
    };
  }

  open();
  return {
    /** Sends a client frame (adds the identifier); false when offline. */
    send(frame) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify({ identifier: 'kirimin', ...frame }));
      return true;
    },
    /** Closes the socket as a drop would (it reconnects). */
    drop() { ws?.close(); },
    /** Closes for good (sign-out). */
    stop() { stopped = true; clearTimeout(timer); ws?.close(); },
  };
}
