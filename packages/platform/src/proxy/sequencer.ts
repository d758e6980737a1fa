/** Puts numbered chunks back in order (pure); shared with the agent, which orders a tunnel's bytes too. */
export { ChunkSequencer } from '@mooring/bus';
