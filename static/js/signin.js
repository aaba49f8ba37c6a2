/** The sign-in screen: e-mail, then the 6-digit code. */

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

  codeForm.onsubmit = async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      await api.verify(email, $('code').value.trim());
      $('signin').hidden = true;
      codeForm.hidden = true;
      emailForm.hidden = false;
      done();
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
