import type { EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Store } from '../db/store';

/** What happened to an item: enough for a listener to load it and show it as it now stands. */
export const ItemChange = z.strictObject({
  kind: z.enum(['lead', 'deal']),
  id: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
  change: z.enum(['created', 'moved', 'updated']),
});
export type ItemChange = z.infer<typeof ItemChange>;

/** `here`: committed by this process; `elsewhere`: by another one on the same Postgres (NOTIFY). */
export type ChangeOrigin = 'here' | 'elsewhere';
export type ItemChangeListener = (change: ItemChange, origin: ChangeOrigin) => void;

/** One change as a line of text between processes: `lead:42:moved`. */
const ItemChangeLine = z
  .string()
  .regex(/^(lead|deal):([1-9][0-9]{0,9}):(created|moved|updated)$/)
  .transform((line) => {
    const [kind, id, change] = line.split(':');
    return { kind, id: Number(id), change };
  })
  .pipe(ItemChange);

function itemChangeLine(change: ItemChange): string {
  return `${change.kind}:${change.id}:${change.change}`;
}

/**
 * Items created, moved and changed, told to whoever listens (the live board's streams, the
 * Postgres relay to other processes) only once the write is committed: a listener loads the
 * item and must find it as the change left it. The engine knows nothing of HTTP; it calls
 * `publish` after each write.
 *
 * A write inside a caller's transaction (`outer`: a form's lead with its event, a lead
 * converted into a deal) is held until that transaction ends. On Postgres TypeORM says so per
 * transaction (a subscriber's afterTransactionCommit / afterTransactionRollback); on SQLite the
 * Store commits in groups and answers a job only after the COMMIT holding it, so an empty job
 * queued behind the group under way resolves once that group is committed. Nothing is held,
 * and nothing costs a statement, while nobody listens.
 */
export class ItemChanges {
  private readonly listeners = new Map<ItemChangeListener, (() => void) | undefined>();
  /** Postgres: changes made inside a transaction still open, by its query runner. */
  private readonly heldByTransaction = new WeakMap<QueryRunner, ItemChange[]>();
  private commitWatcher: EntitySubscriberInterface | null = null;
  /** SQLite: changes waiting for the group commit under way (or the next one) to finish. */
  private heldForGroup: ItemChange[] | null = null;
  private isClosed = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Pick<Logger, 'error'>,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** `onClose` is called at shutdown (see `close`); returns the unsubscribe. */
  subscribe(listener: ItemChangeListener, onClose?: () => void): () => void {
    if (this.isClosed && onClose) {
      onClose();
      return () => undefined;
    }
    this.listeners.set(listener, onClose);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * After a write: told at once when the write committed on its own (no `outer`), else once
   * the transaction `outer` belongs to has committed; dropped if it rolls back (Postgres).
   */
  publish(change: ItemChange, outer?: EntityManager): void {
    if (this.listeners.size === 0) return;
    if (!outer) this.emit(change, 'here');
    else if (this.store.kind === 'postgres') this.holdUntilCommit(outer, change);
    else this.holdUntilGroupCommitted(change);
  }

  /** Changes committed by another process, one `kind:id:change` line each; malformed lines are ignored. */
  receive(text: string): void {
    for (const line of text.split('\n')) {
      const parsed = ItemChangeLine.safeParse(line);
      if (parsed.success) this.emit(parsed.data, 'elsewhere');
    }
  }

  /** Hands every change committed here, as a line of text, to `send` (the Postgres NOTIFY to other processes). */
  relay(send: (line: string) => void): () => void {
    return this.subscribe((change, origin) => {
      if (origin === 'here') send(itemChangeLine(change));
    });
  }

  /**
   * Shutdown: listeners that gave an `onClose` (the live streams) are told and let go, so boards
   * reconnect to another process; the others (the relay) still hear what the runs finishing
   * meanwhile commit. A listener that subscribes afterwards is told at once.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const closing = [...this.listeners].filter(([, onClose]) => onClose !== undefined);
    for (const [listener] of closing) this.listeners.delete(listener);
    for (const [, onClose] of closing) onClose?.();
  }

  private emit(change: ItemChange, origin: ChangeOrigin): void {
    for (const listener of [...this.listeners.keys()]) {
      // The write is committed already: a listener's failure must not turn it into an error for the caller.
      try {
        listener(change, origin);
      } catch (error) {
        this.logger.error({ err: error, change }, 'an item change listener failed');
      }
    }
  }

  private holdUntilCommit(outer: EntityManager, change: ItemChange): void {
    const runner = outer.queryRunner;
    if (!runner || !runner.isTransactionActive) {
      this.emit(change, 'here');
      return;
    }
    this.watchCommits();
    const held = this.heldByTransaction.get(runner);
    if (held) held.push(change);
    else this.heldByTransaction.set(runner, [change]);
  }

  private watchCommits(): void {
    if (this.commitWatcher) return;
    const watcher: EntitySubscriberInterface = {
      afterTransactionCommit: ({ queryRunner }) => {
        // A released savepoint is reported too: the transaction itself is still open.
        if (queryRunner.isTransactionActive) return;
        const held = this.heldByTransaction.get(queryRunner);
        if (!held) return;
        this.heldByTransaction.delete(queryRunner);
        for (const change of held) this.emit(change, 'here');
      },
      afterTransactionRollback: ({ queryRunner }) => {
        if (!queryRunner.isTransactionActive) this.heldByTransaction.delete(queryRunner);
      },
    };
    this.store.dataSource.subscribers.push(watcher);
    this.commitWatcher = watcher;
  }

  private holdUntilGroupCommitted(change: ItemChange): void {
    // Any job running now belongs to the group being committed; a job queued now goes into a
    // later group, so it resolves only after this change's COMMIT (or its ROLLBACK: then the
    // listener finds the item as it really is, or not at all).
    if (this.heldForGroup) {
      this.heldForGroup.push(change);
      return;
    }
    const held = [change];
    this.heldForGroup = held;
    const release = () => {
      if (this.heldForGroup === held) this.heldForGroup = null;
      for (const each of held) this.emit(each, 'here');
    };
    this.store.serialized(async () => undefined).then(release, release);
  }
}
