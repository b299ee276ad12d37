// The render worker thread's entry: plain JavaScript that registers tsx in this thread (a
// worker's loader hooks are its own), then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
