/**
 * The Kirimin API over fetch: every call resolves to `data` or throws an
 * ApiError carrying the contract's `msg` (clients branch on `msg`).
 */

/** A failed call: HTTP status, the contract's error string, optional detail. */
export class ApiError extends Error {
  constructor(status, msg, data) {
    super(msg);
    this.status = status;
    this.msg = msg;
    this.data = data;
  }
}

/** One request; the body (if any) goes as JSON. */
export async function call(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK');
  }
  let json = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  if (!json || json.ok !== true) {
    throw new ApiError(res.status, json?.msg || 'ERROR', json?.data);
  }
  return json.data;
}

const enc = encodeURIComponent;
const get = (p) => call('GET', p);
const post = (p, b = {}) => call('POST', p, b);

export const api = {
  signIn: (email) => post('/x/auth/sign-in', { email }),
  verify: (email, code) => post('/x/auth/verify', { email, code }),
  isUser: () => get('/x/auth/isUser'),
  global: () => get('/x/room/get-global'),

  createGroup: (name) => post('/x/group/create', { name }),
  invite: (link) => get(`/invite/${enc(link)}`),
  join: (gid, link) => post(`/x/group/join/${enc(gid)}`, { link }),
  leave: (gid) => post(`/x/group/leave/${enc(gid)}`),
  kick: (gid, uid) => post(`/x/group/kick/${enc(gid)}/${enc(uid)}`),
  resetLink: (id) => post('/x/group/reset-link', { id }),
  rename: (id, gname) => post('/x/group/set-groupname', { id, gname }),
  setGroupImage: (id, name, img) => post('/x/group/set-img', { id, name, img }),

  send: (type, id, body) => post(`/x/room/sendMessage/${enc(type)}/${enc(id)}`, body),
  remove: (type, id, mid) => post(`/x/room/delMessage/${enc(type)}/${enc(id)}/${enc(mid)}`),
  clear: (type, id) => post(`/x/room/clear/${enc(type)}/${enc(id)}`),
  history: (type, id, before, limit = 50) =>
    get(`/x/room/history/${enc(type)}/${enc(id)}?before=${enc(before)}&limit=${limit}`),

  setImage: (name, img) => post('/x/account/set-img', { name, img }),
  setUsername: (uname) => post('/x/account/set-username', { uname }),
  setDisplayname: (dname) => post('/x/account/set-displayname', { dname }),
  setBio: (bio) => post('/x/account/set-bio', { bio }),
  subscribe: (subscription) => post('/x/account/subscribe', { subscription }),
  search: (q) => get(`/x/profile/search/${enc(q)}`),
  friend: (action, userid) => post(`/x/profile/${action}`, { userid }),

  posts: (before, limit) => {
    const q = new URLSearchParams();
    if (before) q.set('before', before);
    if (limit) q.set('limit', String(limit));
    const qs = q.toString();
    return get(`/x/posts${qs ? `?${qs}` : ''}`);
  },
  newPost: (file, name, text) => post('/x/posts/new-post', { file, name, text }),
  deletePost: (id) => post(`/x/posts/delete-post/${enc(id)}`),
  comments: (id) => get(`/x/posts/comments/${enc(id)}`),
  addComment: (id, text) => post(`/x/posts/comment/add/${enc(id)}`, { text }),
  deleteComment: (id, cid) => post(`/x/posts/comment/delete/${enc(id)}/${enc(cid)}`),
};

/** Human wording of the contract's error strings. */
const TEXTS = {
  NETWORK: 'The server cannot be reached. Check your connection.',
  BAD_REQUEST: 'The server did not understand that request.',
  UNAUTHORIZED: 'You are signed out. Sign in again.',
  TO_MANY_REQUEST: 'Too many requests; wait a moment.',
  CONTENT_TOO_LARGE: 'That is too large to send.',
  ERROR: 'Something went wrong on the server.',
  NOT_FOUND: 'Not found.',
  AUTH_ERR_02: 'That e-mail address is not valid.',
  AUTH_ERR_04: 'That code is wrong.',
  AUTH_ERR_05: 'That code has expired; ask for a new one.',
  AUTH_RATE_LIMIT: 'Too many attempts for this address; try again later.',
  GRPS_OWN_MAX: 'You already own as many groups as allowed.',
  GRPS_DNAME_LENGTH: 'A group name has 1 to 35 characters.',
  GRPS_404: 'This group or invite link does not exist (any more).',
  INV_NOT_FOUND_DESC: 'This invite link is not valid any more.',
  GRPS_MEMBER_LIMIT: 'This group is full.',
  GRPS_NOT_MEMBER: 'You are not a member of this group.',
  GRPS_OWNER_FEATURE: 'Only the group owner can do that.',
  GRPS_KICK_SELF: 'You cannot remove yourself; leave or disband instead.',
  FIND_NOTFOUND: 'That person is not here.',
  GRP_KICKED: 'You are not a member of this group any more.',
  MSG_TEXT_REQUIRED: 'Write something first.',
  MSG_TEXT_LENGTH: 'A message has at most 500 characters.',
  MSG_NO_FILE_SENT: 'No file was sent.',
  MSG_NOT_FOUND: 'That message does not exist (any more).',
  MSG_NOT_OWNER: 'You can only change your own messages.',
  CONTENT_EDIT_EXPIRED: 'Messages can only be edited for 15 minutes.',
  ROOM_TYPE_NOT_FOUND: 'Unknown kind of chat.',
  ACC_FILE_LIMIT: 'The file is larger than 2.5 MB.',
  BAD_IMAGE: 'That is not a PNG, JPEG, GIF or WebP image.',
  ACC_FAIL_UNAME_LENGTH: 'A username has 4 to 20 characters.',
  ACC_FAIL_UNAME_FORMAT: 'A username may use only letters, digits, _ and .',
  ACC_FAIL_CLAIMED: 'That username is taken.',
  ACC_FAIL_DNAME_LENGTH: 'A display name has 1 to 35 characters.',
  ACC_FAIL_BIO_LENGTH: 'A bio has at most 200 characters.',
  USERS_NOT_FOUND: 'No such user.',
  POST_NO_FILE: 'Pick an image for your post first.',
  POST_TEXT_LENGTH: 'A post text has at most 500 characters.',
  POSTS_NOT_FOUND: 'That post does not exist (any more).',
  POST_COMMENT_LENGTH: 'A comment has 1 to 300 characters.',
  CMT_NOT_FOUND: 'That comment does not exist (any more).',
};

/** What to tell the user about a failed call; cooldowns say when to retry. */
export function errorText(err) {
  if (!(err instanceof ApiError)) return String(err?.message || err);
  const ts = err.data?.timestamp;
  if (err.msg.endsWith('_COOLDOWN') && ts) {
    const when = new Date(ts).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    return `You changed this recently; try again at ${when}.`;
  }
  if (err.msg === 'TO_MANY_REQUEST' || err.msg.endsWith('_COOLDOWN')) {
    return 'You are doing that too often; try again later.';
  }
  return TEXTS[err.msg] || `The server refused: ${err.msg}`;
}
