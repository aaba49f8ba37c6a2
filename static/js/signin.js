/** The sign-in screen: e-mail, the 6-digit code, and a name for new accounts. */

import { api, errorText } from './api.js';
import { $ } from './dom.js';

/** Shows the sign-in screen; calls `done()` once a session exists. */
export function showSignIn(done) {
  $('app').hidden = true;
  $('signin').hidden = false;
  const emailForm = $('email-form');
  const codeForm = $('code-form');
  const error = $('signin-error');
  let email = '';

  emailForm.onsubmit = async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    email = $('email').value.trim();
    try {
      const data = await api.signIn(email);
      emailForm.hidden = true;
      codeForm.hidden = false;
      $('code-hint').textContent = `We sent a code to ${data.email || email}.`;
      // development servers (--dev-expose-otp) hand the code back
      $('code').value = data.code ? String(data.code) : '';
      $('code').focus();
    } catch (err) {
      error.textContent = errorText(err);
    }
  };

  const finish = () => {
    $('signin').hidden = true;
    codeForm.hidden = true;
    $('name-form').hidden = true;
    emailForm.hidden = false;
    done();
  };

  codeForm.onsubmit = async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      const data = await api.verify(email, $('code').value.trim());
      // a new account is "User 123456": ask for a name first (skippable)
      if (data.first) askName(finish);
      else finish();
    } catch (err) {
      error.textContent = errorText(err);
    }
  };

  $('code-back').onclick = () => {
    codeForm.hidden = true;
    emailForm.hidden = false;
    error.textContent = '';
  };
  $('email').focus();
}

/** The first sign-in's question for a display name; `finish()` goes on. */
function askName(finish) {
  const form = $('name-form');
  const error = $('signin-error');
  $('code-form').hidden = true;
  form.hidden = false;
  $('first-name').value = '';
  $('first-name').focus();
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      await api.setDisplayname($('first-name').value.trim());
      finish();
    } catch (err) {
      error.textContent = errorText(err);
    }
  };
  $('name-skip').onclick = () => { error.textContent = ''; finish(); };
}
