/**
 * A fence: what keeps new users away from one segment or object while it is
 * looked at a last time before it is removed (cleanup.ts), and lets them back
 * when it turns out to be held. Each kind makes its own (SharedMemory.fenceIfUnchanged).
 */
export interface Fence {
  /** Why, by the kernel's own count, it must stay (a segment attached since), or null. */
  held(): string | null;
  /** Let it be used again as it was; a note when that could not be done exactly. */
  lift(): string | null;
  /** Remove it; a warning as remove() gives one. */
  remove(): { warning: string | null };
}

/** A fence up around one that was found unchanged since it was listed, and what else was taken for it. */
export interface Fenced {
  fence: Fence;
  /** Let go of what was taken (an object's lock), after removal or lifting. */
  release(): void;
  /** The descriptor our own lock holds it open with, which the last look must not count; null for none. */
  fd: number | null;
}
