import type { DatabaseConnection, Dialect, Driver } from 'kysely';

/** A switch that makes a wrapped database unreachable and reachable again. */
export interface Fault {
  cut(): void;
  restore(): void;
}

/**
 * Wraps a real dialect so that, while cut, acquiring a connection fails the
 * way a refused TCP connection does (for PGlite, which runs in process and
 * cannot lose its network).
 */
export function faultyDialect(inner: Dialect): { dialect: Dialect; fault: Fault } {
  let down = false;
  const refuse = () =>
    Object.assign(new Error('connect ECONNREFUSED (fault injected)'), { code: 'ECONNREFUSED' });
  const dialect: Dialect = {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => {
      const d = inner.createDriver();
      const driver: Driver = {
        init: (o) => d.init(o),
        acquireConnection: async (o): Promise<DatabaseConnection> => {
          if (down) throw refuse();
          return d.acquireConnection(o);
        },
        beginTransaction: (c, s) => d.beginTransaction(c, s),
        commitTransaction: (c) => d.commitTransaction(c),
        rollbackTransaction: (c) => d.rollbackTransaction(c),
        releaseConnection: (c, o) => d.releaseConnection(c, o),
        destroy: (o) => d.destroy(o),
      };
      return driver;
    },
  };
  return {
    dialect,
    fault: {
      cut: () => {
        down = true;
      },
      restore: () => {
        down = false;
      },
    },
  };
}
