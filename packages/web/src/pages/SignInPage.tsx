import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import type { LoginAnswer } from '../api/types.ts';
import { navigate } from '../router/navigation.tsx';
import { setSessionToken } from '../session/session.ts';

export function SignInPage({ next }: { next: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const a = await api<LoginAnswer>('/auth/login', { method: 'POST', body: { username, password } });
      setSessionToken(a.token);
      navigate(next ?? '/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const d = error ? describeError(error) : null;
  const wrongPassword = (error as { code?: string } | null)?.code === 'unauthenticated';

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Mooring</h1>
      <form onSubmit={submit} aria-describedby={d ? 'sign-in-error' : undefined}>
        <label htmlFor="username">User name</label>
        <input
          id="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {d ? (
          <p id="sign-in-error" className="form-error" role="alert">
            {wrongPassword ? 'The user name or password is wrong.' : `${d.title}. ${d.detail}`}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="hint">
        The first start of the platform prints the <code>admin</code> password once and writes it to{' '}
        <code>initial-admin-credentials.txt</code> in its data directory.
      </p>
    </main>
  );
}
