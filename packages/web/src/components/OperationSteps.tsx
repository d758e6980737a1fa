import { useOperation } from '../api/queries.ts';
import { formatTime } from '../pages/format.ts';
import { ErrorState, Loading } from './States.tsx';

export const OPERATION_STATE_CLASS: Record<string, string> = {
  success: 'good',
  failed: 'bad',
  timeout: 'bad',
  cancelled: 'neutral',
  running: 'warn',
  pending: 'neutral',
};

/** One operation with its steps, refreshed every 2 s while it runs. */
export function OperationSteps({ id }: { id: string }) {
  const op = useOperation(id);
  if (op.isPending) return <Loading what="the steps" />;
  if (op.isError) return <ErrorState error={op.error} onRetry={() => op.refetch()} />;
  return (
    <section className="steps" aria-labelledby="steps-title">
      <h3 id="steps-title">
        {op.data.type} {op.data.id.slice(0, 8)}:{' '}
        <span className={`badge ${OPERATION_STATE_CLASS[op.data.state]}`}>{op.data.state}</span>
      </h3>
      {op.data.message ? <p>{op.data.message}</p> : null}
      <ol>
        {op.data.steps.map((s) => (
          <li key={s.id}>
            <span className={`badge ${OPERATION_STATE_CLASS[s.state]}`}>{s.state}</span> {s.name}{' '}
            <small>({s.kind})</small>
            {s.message ? <div className="hint">{s.message}</div> : null}
            <div className="hint">
              started {formatTime(s.started_at)}, finished {formatTime(s.finished_at)}
              {s.sends > 1 ? `, sent ${s.sends} times` : ''}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
