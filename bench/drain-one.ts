import { drainOn } from './drain';
void drainOn((process.argv[2] as 'sqlite' | 'postgres') ?? 'sqlite').then((figures) => console.log(JSON.stringify(figures)));
