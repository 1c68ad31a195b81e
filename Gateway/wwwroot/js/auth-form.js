// The sign-in and registration forms: send the fields as JSON, show the server's messages next to each
// field and its title above the button, and go back where the visitor came from on success.
import { api, ApiError, safeReturnUrl } from './api.js';
import { byId } from './dom.js';

/**
 * @param {{formId: string, endpoint: string, fields: string[], pendingLabel: string}} options
 */
export function wireAuthForm({ formId, endpoint, fields, pendingLabel }) {
  const form = byId(formId);
  const submit = form.querySelector('button[type="submit"]');
  const idleLabel = submit.textContent;
  const formError = byId('form-error');
  const returnUrl = safeReturnUrl(new URLSearchParams(location.search).get('returnUrl') ?? '/');

  // Keep returnUrl when switching between /login and /register.
  for (const link of document.querySelectorAll('a[data-keep-return-url]')) {
    if (returnUrl !== '/') link.search = `?returnUrl=${encodeURIComponent(returnUrl)}`;
  }

  function clearErrors() {
    formError.textContent = '';
    formError.hidden = true;
    for (const field of fields) setFieldError(field, '');
  }

  function setFieldError(field, message) {
    const input = byId(field);
    const error = byId(`${field}-error`);
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function showError(error) {
    const fieldErrors = error instanceof ApiError ? error.errors : {};
    let first = null;
    for (const field of fields) {
      const messages = fieldErrors[field];
      if (messages?.length) {
        setFieldError(field, messages.join(' '));
        first ??= field;
      }
    }
    formError.textContent = error instanceof ApiError ? error.title : 'Something went wrong. Try again.';
    formError.hidden = false;
    byId(first ?? fields[0]).focus();
  }

  // A field's message goes away once the visitor edits it.
  for (const field of fields) {
    byId(field).addEventListener('input', () => setFieldError(field, ''));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors();
    const body = Object.fromEntries(fields.map((field) => [field, byId(field).value]));
    setPending(true);
    try {
      await api(endpoint, { method: 'POST', body, redirectOn401: false });
    } catch (error) {
      setPending(false);
      showError(error);
      return;
    }
    // Stay disabled while the next page loads.
    location.assign(returnUrl);
  });

  function setPending(pending) {
    submit.disabled = pending;
    submit.textContent = pending ? pendingLabel : idleLabel;
    if (pending) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  }
}
