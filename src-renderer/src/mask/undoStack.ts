/**
 * Bounded undo/redo history of immutable snapshots. A new edit after undo drops the redo branch, as in
 * every editor people already know. Snapshots are whole mask sets: masks are small (one byte a pixel)
 * and a bound of 50 keeps memory predictable.
 */
export class UndoStack<T> {
  private past: T[] = [];
  private future: T[] = [];

  constructor(private present: T, private readonly limit = 50) {
    if (limit < 1) throw new Error('Undo limit must be at least 1.');
  }

  get current(): T { return this.present; }
  get canUndo(): boolean { return this.past.length > 0; }
  get canRedo(): boolean { return this.future.length > 0; }

  push(next: T): T {
    this.past.push(this.present);
    if (this.past.length > this.limit) this.past.shift();
    this.present = next;
    this.future = [];
    return next;
  }

  undo(): T {
    const prev = this.past.pop();
    if (prev === undefined) return this.present;
    this.future.push(this.present);
    this.present = prev;
    return prev;
  }

  redo(): T {
    const next = this.future.pop();
    if (next === undefined) return this.present;
    this.past.push(this.present);
    this.present = next;
    return next;
  }

  /** Start over from a new state (a new image): history does not cross images. */
  reset(state: T): void {
    this.past = [];
    this.future = [];
    this.present = state;
  }
}
