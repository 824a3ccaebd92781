import { describeStoreContract } from '../../../testing/contracts/store.js';
import { MemoryStore } from './memory-store.js';

describeStoreContract('MemoryStore', async () => new MemoryStore());
