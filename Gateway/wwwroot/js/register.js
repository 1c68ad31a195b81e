import { wireAuthForm } from './auth-form.js';

wireAuthForm({
  formId: 'register-form',
  endpoint: '/api/identity/register',
  fields: ['username', 'email', 'password'],
  pendingLabel: 'Creating account…',
});
