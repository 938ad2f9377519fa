// Entry point: bin/shmctl-ts loads the compiled copy of this file.
import { start } from './cli.js';

void start();
