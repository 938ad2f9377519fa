/*
 * The C reference for `npm run bench`: the plainest way to move bytes between
 * a descriptor and a System V segment.
 *   shmcopy write ID   read(2) stdin straight into the attached segment
 *   shmcopy read ID    write(2) the whole segment to stdout
 * Compiled by bench/run.mjs with the machine's cc; not part of the product.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: shmcopy write|read ID\n");
		return 2;
	}
	int id = atoi(argv[2]);
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) == -1) { perror("shmctl"); return 1; }
	int reading = strcmp(argv[1], "read") == 0;
	char *p = shmat(id, NULL, reading ? SHM_RDONLY : 0);
	if (p == (void *) -1) { perror("shmat"); return 1; }
	size_t size = ds.shm_segsz, done = 0;
	const size_t chunk = 1 << 20;
	while (done < size) {
		size_t want = size - done < chunk ? size - done : chunk;
		ssize_t n = reading ? write(1, p + done, want) : read(0, p + done, want);
		if (n < 0) { perror(reading ? "write" : "read"); return 1; }
		if (n == 0) break;
		done += (size_t) n;
	}
	shmdt(p);
	return 0;
}
