/** A set of ids with O(1) add, delete and uniform random pick by index (array + position map). */
export class IdSet {
  private readonly items: number[] = [];
  private readonly pos = new Map<number, number>();

  get size(): number {
    return this.items.length;
  }

  has(id: number): boolean {
    return this.pos.has(id);
  }

  add(id: number): void {
    if (this.pos.has(id)) return;
    this.pos.set(id, this.items.length);
    this.items.push(id);
  }

  /** Swap-remove: order changes, but deterministically, which is all the generator needs. */
  delete(id: number): void {
    const i = this.pos.get(id);
    if (i === undefined) return;
    const last = this.items.pop() as number;
    this.pos.delete(id);
    if (last !== id) {
      this.items[i] = last;
      this.pos.set(last, i);
    }
  }

  at(i: number): number {
    const id = this.items[i];
    if (id === undefined) throw new RangeError(`IdSet index ${i} out of range (size ${this.items.length})`);
    return id;
  }
}
