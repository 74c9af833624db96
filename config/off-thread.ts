import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { displayNameOf } from './file-bytes';
import type { ConfigLimits } from './limits';
import type { CheckResult, LoadResult } from './load-results';

export interface OffThreadOptions {
  limits?: Partial<ConfigLimits>;
  /** A check still running after this is stopped and the file refused. */
  timeoutMs?: number;
  /** Heap of the checking thread; a file that needs more is refused. */
  maxMemoryMb?: number;
}

/** What the loader hands in: it imports this module, so this one does not import it back. */
export interface OffThreadLoader {
  /** The loader's own file: the worker requires it for checkConfigFile. */
  path: string;
  /** The checked config compiled on this thread. */
  compile: (result: CheckResult) => LoadResult;
  /** The whole load on this thread, where no worker can load the loader. */
  loadHere: () => LoadResult;
}

/** Runs in the worker: loads the loader (through tsx when it is TypeScript) and checks the file. */
const CHECK_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
let checkConfigFile;
try {
  if (workerData.register) require(workerData.register);
  checkConfigFile = require(workerData.loader).checkConfigFile;
} catch (error) {
  parentPort.postMessage({ kind: 'unavailable', message: String((error && error.message) || error) });
}
if (checkConfigFile) {
  try {
    parentPort.postMessage({ kind: 'result', result: checkConfigFile(workerData.file, workerData.limits) });
  } catch (error) {
    parentPort.postMessage({ kind: 'unavailable', message: String((error && error.message) || error) });
  }
}
`;

let warnedInProcess = false;

/**
 * The reading, parsing and checking on a worker thread, so a big or hostile file never stalls the
 * server. A file that needs more time or memory than allowed is refused like any bad config.
 * Where no worker can load the loader, the load runs here (and says so once).
 */
export function loadOffThread(file: string, options: OffThreadOptions, loader: OffThreadLoader): Promise<LoadResult> {
  const { limits = {}, timeoutMs = 60_000, maxMemoryMb = 1024 } = options;
  const refuse = (message: string): LoadResult => ({ ok: false, issues: [{ file: displayNameOf(file), line: 1, col: 1, path: '(file)', message }] });
  const inProcess = (why: string): LoadResult => {
    if (!warnedInProcess) process.emitWarning(`config is checked on the main thread: ${why}`);
    warnedInProcess = true;
    return loader.loadHere();
  };
  let register: string | undefined;
  try {
    register = /\.[cm]?tsx?$/.test(loader.path) ? require.resolve('tsx/cjs') : undefined;
  } catch (error) {
    return Promise.resolve(inProcess((error as Error).message));
  }
  return new Promise<LoadResult>((resolve) => {
    let settled = false;
    let worker: Worker | null = null;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: () => LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker?.terminate();
      resolve(result());
    };
    try {
      worker = new Worker(CHECK_IN_WORKER, {
        eval: true,
        workerData: { register, loader: loader.path, file: path.resolve(file), limits },
        resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
      });
    } catch (error) {
      settle(() => inProcess((error as Error).message));
      return;
    }
    timer = setTimeout(() => settle(() => refuse(`checking the config took over ${Math.round(timeoutMs / 1000)} s; stopped (is the file built to be slow?)`)), timeoutMs);
    timer.unref();
    worker.once('message', (message: { kind: 'result'; result: CheckResult } | { kind: 'unavailable'; message: string }) =>
      settle(() => (message.kind === 'result' ? loader.compile(message.result) : inProcess(message.message))),
    );
    worker.once('error', (error: NodeJS.ErrnoException) =>
      settle(() => refuse(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `checking the config needed over ${maxMemoryMb} MB of memory; stopped` : `the config could not be checked: ${error.message}`)),
    );
    worker.once('exit', (code) => settle(() => refuse(`the config check stopped before it finished (exit code ${code})`)));
  });
}
