import { useEffect, useState } from 'preact/hooks';
import type { ConfigEvent, ItemEvent, NotificationEvent } from '../api/types';

/**
 * The one EventSource of the app (`GET /api/stream`): every page subscribes here instead of
 * opening its own, so a tab holds one stream however many parts of it listen.
 */
interface LiveEvents {
  item: ItemEvent;
  notification: NotificationEvent;
  config: ConfigEvent;
}

export type LiveState = 'connecting' | 'open' | 'reconnecting';

type Listener<Name extends keyof LiveEvents> = (event: LiveEvents[Name]) => void;

const listeners: { [Name in keyof LiveEvents]: Set<Listener<Name>> } = { item: new Set(), notification: new Set(), config: new Set() };
const stateListeners = new Set<(state: LiveState) => void>();
/** Called after a reconnect: events may have been missed, so lists reload. */
const resyncListeners = new Set<() => void>();
let source: EventSource | null = null;
let state: LiveState = 'connecting';
let everOpened = false;

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

export function startLive(): void {
  if (source) return;
  source = new EventSource('/api/stream');
  source.addEventListener('open', () => {
    if (everOpened) for (const resync of resyncListeners) resync();
    everOpened = true;
    setState('open');
  });
  // EventSource retries by itself (the server's `retry:`); the page only says so.
  source.addEventListener('error', () => setState(source?.readyState === EventSource.CLOSED ? 'reconnecting' : 'reconnecting'));
  for (const name of Object.keys(listeners) as Array<keyof LiveEvents>) {
    source.addEventListener(name, (message) => {
      const event = parse((message as MessageEvent<string>).data);
      if (event && typeof event === 'object') for (const listener of listeners[name]) (listener as (event: unknown) => void)(event);
    });
  }
}

export function stopLive(): void {
  source?.close();
  source = null;
  everOpened = false;
  setState('connecting');
}

/** Listens to one kind of live event while the component is mounted. */
export function useLiveEvent<Name extends keyof LiveEvents>(name: Name, listener: Listener<Name>): void {
  useEffect(() => {
    const set = listeners[name] as Set<Listener<Name>>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }, [name, listener]);
}

/** Runs `resync` when the stream comes back after a break (changes may have been missed). */
export function useLiveResync(resync: () => void): void {
  useEffect(() => {
    resyncListeners.add(resync);
    return () => {
      resyncListeners.delete(resync);
    };
  }, [resync]);
}

export function useLiveState(): LiveState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    stateListeners.add(setCurrent);
    // The stream may have opened between the render and this effect: catch up.
    setCurrent(state);
    return () => {
      stateListeners.delete(setCurrent);
    };
  }, []);
  return current;
}
