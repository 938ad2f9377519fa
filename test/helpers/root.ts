/** The checkout's root, as the tests see it (a path ending in a slash). */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
