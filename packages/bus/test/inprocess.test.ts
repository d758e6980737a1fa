import { InProcessBus, InProcessHub } from '../src/index.ts';
import { ACK_WAIT_MS, busContract } from './contract.ts';

let hub = new InProcessHub({ commandAckWaitMs: ACK_WAIT_MS });

busContract({
  name: 'in-process',
  async setup() {
    hub = new InProcessHub({ commandAckWaitMs: ACK_WAIT_MS });
  },
  connect: async () => new InProcessBus({ hub }),
  publishRaw: async (bus, subject, text) => (bus as InProcessBus).hub.injectRaw(subject, text),
  enqueueRaw: async (bus, clusterId, text) =>
    (bus as InProcessBus).hub.queue(clusterId).send(`raw-${Math.random()}`, text),
});
