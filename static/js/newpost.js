/**
 * The "New post" form: an image picker with a preview of the chosen file
 * before anything is sent, an optional text, and the server's errors in
 * words. The file is read as a data URL only when posting.
 */

import { api, ApiError, errorText } from './api.js';
import { $, readDataUrl } from './dom.js';

/** The server's limit of a post image (2.5 MB decoded, API.md). */
const MAX_BYTES = 2621440;

let file = null;
let previewUrl = null;

function setFile(next) {
  file = next;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = file ? URL.createObjectURL(file) : null;
  const img = $('new-post-preview');
  $('new-post-no-preview').hidden = true;
  img.hidden = !file;
  if (file) img.src = previewUrl;
  else img.removeAttribute('src');
  $('new-post-file-name').textContent = file ? file.name : 'No image chosen.';
  $('new-post-submit').disabled = !file;
  $('new-post-error').textContent = '';
}

/** Empties and hides the form. */
export function closeNewPost() {
  setFile(null);
  $('new-post-text').value = '';
  $('new-post-file').value = '';
  $('new-post').hidden = true;
}

function openNewPost() {
  $('new-post').hidden = false;
  $('feed-scroll').scrollTop = 0;
  $('new-post-file').focus();
}

async function submit(onPosted) {
  if (!file) { $('new-post-error').textContent = errorText(new ApiError(400, 'POST_NO_FILE')); return; }
  // too large for the server anyway: say so without uploading it
  if (file.size > MAX_BYTES) { $('new-post-error').textContent = errorText(new ApiError(413, 'ACC_FILE_LIMIT')); return; }
  const button = $('new-post-submit');
  button.disabled = true;
  button.textContent = 'Posting…';
  $('new-post-error').textContent = '';
  try {
    const data = await readDataUrl(file);
    const post = await api.newPost(data, file.name, $('new-post-text').value);
    closeNewPost();
    onPosted(post);
  } catch (err) {
    $('new-post-error').textContent = errorText(err);
  } finally {
    button.textContent = 'Post';
    button.disabled = !file;
  }
}

/** Wires the form; `onPosted(post)` receives every post created here. */
export function initNewPost(onPosted) {
  $('new-post-button').onclick = () => { if ($('new-post').hidden) openNewPost(); else closeNewPost(); };
  $('new-post-cancel').onclick = closeNewPost;
  $('new-post-file').onchange = (ev) => setFile(ev.target.files[0] || null);
  // not an image the browser can show: say so (the server decides on posting)
  $('new-post-preview').onerror = () => {
    if (!file) return;
    $('new-post-preview').hidden = true;
    $('new-post-no-preview').hidden = false;
  };
  $('new-post').onsubmit = (ev) => { ev.preventDefault(); submit(onPosted); };
  setFile(null);
}
