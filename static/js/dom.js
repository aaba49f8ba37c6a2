/**
 * Tiny DOM helpers. User data only ever enters the page as text nodes or
 * attribute values set through the DOM; nothing here parses HTML.
 */

/**
 * Creates an element. `attrs`: `class`, `text`, `on<Event>` handlers,
 * booleans (`hidden`, `disabled`) and plain attributes. Children may be
 * nodes, strings (inserted as text) or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** `document.getElementById`, shorter. */
export const $ = (id) => document.getElementById(id);

/** Replaces every child of `el` with `children`. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** Reads a File as a data URL (for uploads). */
export function readDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Local time of a millisecond timestamp, short form. */
export function timeOf(ms) {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}

let noticeTimer = null;

/** Shows a banner at the top of the page (kicks, disbands, friend news). */
export function notice(text, { sticky = false } = {}) {
  const box = $('notice');
  if (!box) return;
  $('notice-text').textContent = text;
  box.hidden = false;
  clearTimeout(noticeTimer);
  if (!sticky) noticeTimer = setTimeout(() => { box.hidden = true; }, 6000);
}
