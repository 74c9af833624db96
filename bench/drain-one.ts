/** One drain, for profiling and quick checks: `tsx bench/drain-one.ts sqlite|postgres [workers] [in-process|processes]`. */
import { drainOn } from './drain';

const [kind = 'sqlite', workers = '1', mode = 'in-process'] = process.argv.slice(2);
void drainOn(kind as 'sqlite' | 'postgres', Number(workers), mode as 'in-process' | 'processes').then((figures) => console.log(JSON.stringify(figures)));
