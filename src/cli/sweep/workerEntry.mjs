// Entry of the job processes a worker host forks when the bundle of the job code is not used
// (jobBundle.ts): the `hft worker` command alone, through tsx. Going through hft.mjs would load the
// command table's loader too; the job code is the same either way (jobMain.ts).
import { register } from 'tsx/esm/api';

register();
await import('./jobMain.ts');
