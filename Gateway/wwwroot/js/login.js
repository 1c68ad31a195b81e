import { wireAuthForm } from './auth-form.js';

wireAuthForm({ formId: 'login-form', endpoint: '/api/identity/login', fields: ['username', 'password'], pendingLabel: 'Signing in…' });
