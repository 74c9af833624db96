/** Every component reads time from a Clock so tests can walk days of cadence in milliseconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class FakeClock implements Clock {
  private current: number;
  private readonly listeners = new Set<() => void>();

  constructor(start: number | string | Date = '2026-03-02T09:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  set(at: number | string | Date): void {
    this.current = new Date(at).getTime();
    this.listeners.forEach((listener) => listener());
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
