import { describeApiSuite } from './support/apiSuite.ts';

// The API suite on the embedded database: PGlite in memory.
describeApiSuite('PGlite', async () => ({ target: { kind: 'pglite' } }));
