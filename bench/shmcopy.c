/*
 * The C reference and helper for `npm run bench`; compiled by bench/run.mjs
 * with the machine's cc; not part of the product.
 *   shmcopy write ID    read(2) stdin straight into the attached segment
 *   shmcopy read ID     write(2) the whole segment to stdout
 *   shmcopy make COUNT CREATORS USERS UID
 *                       COUNT segments of 4 KiB made by CREATORS processes, process c running as UID + c % USERS;
 *                       every creator has exited when it returns (the usual state of a leak)
 *   shmcopy idle COUNT MAPPERS PATH ID NAMESPACES
 *                       COUNT idle processes; the first MAPPERS map the file PATH (shared) and attach segment ID
 *                       (unless it is -1); the last NAMESPACES of them each in an IPC namespace of its own with
 *                       one segment. Prints "ready" when all are so, then waits for stdin to close; they end with it
 *                       (PR_SET_PDEATHSIG).
 *   shmcopy cat PATH N  reads PATH N times, as a program reading it once a second would (the floor of watch)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static int copy(const char *how, int id) {
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) == -1) { perror("shmctl"); return 1; }
	int reading = strcmp(how, "read") == 0;
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

static int make(long count, long creators, long users, long uid) {
	for (long c = 0; c < creators; c++) {
		pid_t pid = fork();
		if (pid < 0) { perror("fork"); return 1; }
		if (pid == 0) {
			uid_t u = (uid_t) (uid + c % users);
			if (setgid(u) || setuid(u)) { perror("setuid"); _exit(1); }
			for (long i = c; i < count; i += creators)
				if (shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0644) == -1) { perror("shmget"); _exit(1); }
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) return 1;
	}
	return 0;
}

static int idle(long count, long mappers, const char *path, int id, long namespaces) {
	int ready[2];
	if (pipe(ready)) { perror("pipe"); return 1; }
	for (long c = 0; c < count; c++) {
		pid_t pid = fork();
		if (pid < 0) { perror("fork"); return 1; }
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(ready[0]);
			if (c < mappers) {
				int fd = open(path, O_RDWR);
				if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) _exit(1);
				close(fd);
				if (id != -1 && shmat(id, NULL, 0) == (void *) -1) _exit(1);
			}
			if (c >= count - namespaces && (unshare(CLONE_NEWIPC) || shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) == -1))
				_exit(1);
			if (write(ready[1], "", 1) != 1) _exit(1);
			close(ready[1]);
			for (;;) pause();
		}
	}
	close(ready[1]);
	char b;
	for (long c = 0; c < count; c++)
		if (read(ready[0], &b, 1) != 1) { fprintf(stderr, "idle: a process did not start\n"); return 1; }
	printf("ready\n");
	fflush(stdout);
	while (read(0, &b, 1) > 0) {}
	return 0;
}

static int cat(const char *path, long n) {
	static char buf[1 << 20];
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0) { perror(path); return 1; }
		ssize_t r;
		while ((r = read(fd, buf, sizeof buf)) > 0) {}
		close(fd);
		if (r < 0) { perror("read"); return 1; }
	}
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 3 && (!strcmp(argv[1], "read") || !strcmp(argv[1], "write"))) return copy(argv[1], atoi(argv[2]));
	if (argc == 6 && !strcmp(argv[1], "make")) return make(atol(argv[2]), atol(argv[3]), atol(argv[4]), atol(argv[5]));
	if (argc == 7 && !strcmp(argv[1], "idle"))
		return idle(atol(argv[2]), atol(argv[3]), argv[4], atoi(argv[5]), atol(argv[6]));
	if (argc == 4 && !strcmp(argv[1], "cat")) return cat(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: shmcopy write|read ID | make COUNT CREATORS USERS UID | idle COUNT MAPPERS PATH ID NS | cat PATH N\n");
	return 2;
}
