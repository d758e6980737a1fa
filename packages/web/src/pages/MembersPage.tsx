import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys, useClusters, useGrants, useMe, useUsers } from '../api/queries.ts';
import type { Grant, GrantRole, User } from '../api/types.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { Link, navigate } from '../router/navigation.tsx';
import { hrefOf } from '../router/routes.ts';

const GRANT_ROLES: GrantRole[] = ['view', 'edit', 'admin', 'cluster-admin'];

function GrantRow({ user, grant, clusterId }: { user: User; grant: Grant | undefined; clusterId: string }) {
  const client = useQueryClient();
  const [role, setRole] = useState<GrantRole>(grant?.role ?? 'view');
  const [namespace, setNamespace] = useState(grant?.namespace ?? '');
  const url = `/clusters/${encodeURIComponent(clusterId)}/grants/${encodeURIComponent(user.id)}`;
  const done = () => void client.invalidateQueries({ queryKey: keys.grants(clusterId) });
  const save = useMutation({
    mutationFn: () =>
      api<Grant>(url, {
        method: 'PUT',
        body: namespace.trim() ? { role, namespace: namespace.trim() } : { role },
      }),
    onSuccess: done,
  });
  const remove = useMutation({ mutationFn: () => api<void>(url, { method: 'DELETE' }), onSuccess: done });
  const who = user.username;
  const error = save.error ?? remove.error;
  return (
    <tr>
      <th scope="row">{who}</th>
      <td>{user.display_name || '—'}</td>
      <td>{user.role}</td>
      <td>
        {grant ? (
          <>
            <strong>{grant.role}</strong> {grant.namespace ? `in ${grant.namespace}` : 'cluster-wide'}
          </>
        ) : (
          'none'
        )}
      </td>
      <td>
        <form
          className="grant-form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <label className="visually-hidden" htmlFor={`role-${user.id}`}>
            Grant role for {who}
          </label>
          <select id={`role-${user.id}`} value={role} onChange={(e) => setRole(e.target.value as GrantRole)}>
            {GRANT_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <label className="visually-hidden" htmlFor={`ns-${user.id}`}>
            Namespace for {who}
          </label>
          <input
            id={`ns-${user.id}`}
            value={namespace}
            placeholder="all namespaces"
            disabled={role === 'cluster-admin'}
            onChange={(e) => setNamespace(e.target.value)}
          />
          <button type="submit" disabled={save.isPending}>
            {grant ? 'Change' : 'Grant'}
            <span className="visually-hidden"> {who}</span>
          </button>
          {grant ? (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Remove<span className="visually-hidden"> grant of {who}</span>
            </button>
          ) : null}
        </form>
        {error ? (
          <p className="form-error" role="alert">
            {describeError(error).detail}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

/** The organisation's members and their access grants to one cluster (kubectl through the platform). */
export function MembersPage({ cluster }: { cluster: string | null }) {
  const me = useMe();
  const isAdmin = me.data?.role === 'admin' || me.data?.role === 'owner';
  const users = useUsers(isAdmin);
  const clusters = useClusters();
  const clusterId = cluster ?? clusters.data?.[0]?.id ?? null;
  const grants = useGrants(clusterId, isAdmin);

  if (me.isPending) return <Loading what="your role" />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  if (!isAdmin)
    return (
      <>
        <h1>Members</h1>
        <div className="notice">
          <p>
            Admins see the organisation&apos;s members and give them access to clusters. You are signed in as{' '}
            <strong>{me.data.user.username}</strong> with the role <strong>{me.data.role}</strong>.
          </p>
          <p>To use kubectl through Mooring, ask an admin for a grant on the cluster.</p>
        </div>
      </>
    );
  const byUser = new Map((grants.data ?? []).map((g) => [g.user_id, g]));
  return (
    <>
      <h1>Members</h1>
      <p className="hint">
        A grant lets a member use a cluster through kubectl and helm via Mooring (
        <code>mooring cluster kubeconfig</code>
        ): <code>view</code>, <code>edit</code> and <code>admin</code> in one namespace or all,{' '}
        <code>cluster-admin</code> cluster-wide. Roles in Mooring itself are set per user.
      </p>
      {clusters.isPending ? (
        <Loading what="clusters" />
      ) : clusters.isError ? (
        <ErrorState error={clusters.error} onRetry={() => clusters.refetch()} />
      ) : clusters.data.length === 0 ? (
        <Empty title="No clusters yet">
          <p>
            Grants are per cluster. <Link href={hrefOf({ page: 'import' })}>Import a cluster</Link> first.
          </p>
        </Empty>
      ) : (
        <>
          <p className="inline-form">
            <label htmlFor="grant-cluster">Cluster</label>
            <select
              id="grant-cluster"
              value={clusterId ?? ''}
              onChange={(e) =>
                navigate(hrefOf({ page: 'members', cluster: e.target.value }), { replace: true })
              }
            >
              {clusters.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </p>
          {users.isPending || grants.isPending ? (
            <Loading what="members and grants" />
          ) : users.isError || grants.isError ? (
            <ErrorState
              error={users.error ?? grants.error}
              onRetry={() => {
                void users.refetch();
                void grants.refetch();
              }}
            />
          ) : (
            <div className="table-scroll">
              <table className="simple">
                <caption>Members and their grant on this cluster</caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Name</th>
                    <th scope="col">Role in Mooring</th>
                    <th scope="col">Grant</th>
                    <th scope="col">Set or remove</th>
                  </tr>
                </thead>
                <tbody>
                  {users.data.map((u) => (
                    <GrantRow
                      key={`${clusterId}-${u.id}-${byUser.get(u.id)?.updated_at ?? ''}`}
                      user={u}
                      grant={byUser.get(u.id)}
                      clusterId={clusterId!}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
