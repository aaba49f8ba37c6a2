/**
 * The invite page /invite/{link}: a preview of the group and a Join button.
 * Signed-out visitors are sent to sign in and brought back here.
 */

import { api, ApiError, errorText } from './api.js';
import { $ } from './dom.js';

const link = decodeURIComponent(location.pathname.split('/').pop() || '');

async function load() {
  let preview;
  try {
    preview = await api.invite(link);
  } catch (err) {
    $('invite-status').textContent = errorText(err);
    return;
  }
  const group = preview.group;
  $('invite-status').textContent = preview.joined ? 'You are a member of' : 'You are invited to join';
  $('invite-name').textContent = group.long || group.short;
  $('invite-members').textContent = `${preview.members} member${preview.members === 1 ? '' : 's'}`;
  document.title = `Join ${group.long || group.short} · Kirimin`;

  let signedIn = true;
  try { await api.isUser(); } catch (err) { signedIn = !(err instanceof ApiError && err.status === 401); }
  if (!signedIn) {
    const a = $('invite-signin');
    a.href = `/app?next=${encodeURIComponent(location.pathname)}`;
    a.hidden = false;
    return;
  }
  const button = $('join');
  button.textContent = preview.joined ? 'Open chat' : 'Join';
  button.hidden = false;
  button.onclick = async () => {
    $('invite-error').textContent = '';
    button.disabled = true;
    try {
      if (!preview.joined) await api.join(group.id, link);
      location.assign(`/app#group:${group.id}`);
    } catch (err) {
      $('invite-error').textContent = errorText(err);
      button.disabled = false;
    }
  };
}

load();
