import { useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from '../../api/client';
import type { LoginBody, MeResponse } from '../../api/types';
import { LOCALES, useI18n } from '../../i18n';

/** Password sign-in (POST /auth/login): the session cookie comes back, and the CSRF token the page's changes carry. */
export function SignInPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const { t, error: errorText, locale, setLocale } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body: LoginBody = { login: login.trim(), password };
      const answer = await api<MeResponse>('/auth/login', { method: 'POST', body, quietUnauthenticated: true });
      setCsrfToken(answer.csrf_token);
      await onSignedIn();
    } catch (error) {
      setProblem(error instanceof ApiError ? error : new ApiError(0, 'network', String(error)));
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form class="sign-in-form" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        <p>{t('signIn.lead')}</p>
        <label>
          {t('signIn.login')}
          <input name="login" autoComplete="username" required value={login} onInput={(event) => setLogin(event.currentTarget.value)} autoFocus />
        </label>
        <label>
          {t('signIn.password')}
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        {problem && (
          <p class="form-error" role="alert" id="sign-in-error">
            {errorText(problem.code, problem.status)}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} aria-describedby={problem ? 'sign-in-error' : undefined}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <p class="sign-in-languages">
          {LOCALES.filter((option) => option !== locale).map((option) => (
            <button key={option} type="button" class="link-button" lang={option} onClick={() => setLocale(option)}>
              {t(`language.${option}`)}
            </button>
          ))}
        </p>
      </form>
    </main>
  );
}
