/**
 * A fence: what keeps new users away from one segment or object while it is
 * looked at a last time before it is removed (cleanup.ts), and lets them back
 * when it turns out to be held. Each kind makes its own (SharedMemory.fence).
 */
export interface Fence {
  /** Why, by the kernel's own count, it must stay (a segment attached since), or null. */
  held(): string | null;
  /** Let it be used again as it was; a note when that could not be done exactly. */
  lift(): string | null;
  /** Remove it; a warning as remove() gives one. */
  remove(): { warning: string | null };
}
