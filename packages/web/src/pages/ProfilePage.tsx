import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys, useMe, useTokens } from '../api/queries.ts';
import type { ApiToken, Scope } from '../api/types.ts';
import { ShownOnce } from '../components/ShownOnce.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { formatTime } from './format.ts';

const SCOPES: { scope: Scope; label: string }[] = [
  { scope: 'read', label: 'read (acts as viewer)' },
  { scope: 'write', label: 'write (acts as operator)' },
  { scope: 'admin', label: 'admin (your own role)' },
];

export function ProfilePage() {
  const me = useMe();
  const tokens = useTokens();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  const create = useMutation({
    mutationFn: () =>
      api<{ token: ApiToken; secret: string }>('/tokens', {
        method: 'POST',
        body: { name, scopes, expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null },
      }),
    onSuccess: (a) => {
      setCreated({ name: a.token.name, secret: a.secret });
      setName('');
      void client.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const revoke = useMutation({
    mutationFn: (t: ApiToken) => api<ApiToken>(`/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens }),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const toggleScope = (s: Scope) =>
    setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  return (
    <>
      <h1>Profile</h1>
      {me.isPending ? <Loading what="your profile" /> : null}
      {me.isError ? <ErrorState error={me.error} onRetry={() => me.refetch()} /> : null}
      {me.data ? (
        <dl className="facts">
          <dt>User name</dt>
          <dd>{me.data.user.username}</dd>
          <dt>Name</dt>
          <dd>{me.data.user.display_name || '—'}</dd>
          <dt>Role</dt>
          <dd>{me.data.user.role}</dd>
          <dt>Member since</dt>
          <dd>{formatTime(me.data.user.created_at)}</dd>
        </dl>
      ) : null}

      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p className="hint">
          Tokens let scripts and the CLI call the API as you:{' '}
          <code>Authorization: Bearer &lt;secret&gt;</code>.
        </p>
        <form className="inline-form" onSubmit={submit} aria-label="New API token">
          <div>
            <label htmlFor="token-name">Name</label>
            <input
              id="token-name"
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <fieldset>
            <legend>Scopes</legend>
            {SCOPES.map((s) => (
              <label key={s.scope} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(s.scope)}
                  onChange={() => toggleScope(s.scope)}
                />{' '}
                {s.label}
              </label>
            ))}
          </fieldset>
          <div>
            <label htmlFor="token-expires">Expires (optional)</label>
            <input
              id="token-expires"
              type="date"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={create.isPending || scopes.length === 0}>
            Create token
          </button>
        </form>
        {create.isError ? (
          <p className="form-error" role="alert">
            {describeError(create.error).detail}
          </p>
        ) : null}
        {created ? (
          <div className="notice" role="status">
            <ShownOnce label={`Secret of “${created.name}”`} value={created.secret} />
            <button type="button" onClick={() => setCreated(null)}>
              I have stored it
            </button>
          </div>
        ) : null}

        {tokens.isPending ? <Loading what="tokens" /> : null}
        {tokens.isError ? <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} /> : null}
        {tokens.data && tokens.data.length === 0 ? (
          <Empty title="No API tokens">
            <p>
              Create one above for a script or for <code>mooring login --token</code>.
            </p>
          </Empty>
        ) : null}
        {tokens.data && tokens.data.length > 0 ? (
          <table className="simple">
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{t.scopes.join(', ')}</td>
                  <td>{formatTime(t.created_at)}</td>
                  <td>{formatTime(t.last_used_at)}</td>
                  <td>{t.expires_at ? formatTime(t.expires_at) : 'never'}</td>
                  <td>
                    {t.revoked_at ? (
                      <span className="badge bad">revoked</span>
                    ) : (
                      <span className="badge good">active</span>
                    )}
                  </td>
                  <td>
                    {t.revoked_at ? null : (
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Revoke ${t.name}`}
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (
                            window.confirm(`Revoke the token “${t.name}”? Anything using it stops working.`)
                          )
                            revoke.mutate(t);
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {revoke.isError ? (
          <p className="form-error" role="alert">
            {describeError(revoke.error).detail}
          </p>
        ) : null}
      </section>
    </>
  );
}
