// SPDX-License-Identifier: GPL-2.0-only
/*
 * pt_worker: one guest process of the kernel tests. Runs its steps in
 * order through the pasid_test module, so the kernel does to this
 * process's mm exactly what the scenario says:
 *
 *   alloc | msr | free-early | leak     the module's command, in this thread
 *   bind:DEV                            an SVA bind on PCI device DEV; its
 *                                       failure is reported, not fatal
 *   threads-msr:N                       N threads (CLONE_VM) each load the MSR
 *   wait:FIFO | signal:FIFO             block until FIFO is written / write it
 *   sleep:MS
 *
 * Prints what it did, one "pt-worker" line per fact, for the host to
 * compare with the report. Exits 1 when a step that must work fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CTL "/sys/kernel/debug/pasid_test/ctl"

static const char *scenario = "?";

static int ctl(const char *cmd)
{
	int fd = open(CTL, O_RDWR);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int mm_pasid(void)
{
	char buf[16] = "";
	int fd = open(CTL, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static void must(const char *cmd)
{
	int err = ctl(cmd);

	if (err) {
		printf("pt-worker %s pid=%d FAILED %s: %s\n", scenario, getpid(), cmd, strerror(-err));
		exit(1);
	}
}

static void *thread_msr(void *arg)
{
	(void)arg;
	must("msr");
	printf("pt-worker %s pid=%d msr tid=%ld pasid=%d\n", scenario, getpid(), (long)syscall(SYS_gettid),
	       mm_pasid());
	return NULL;
}

static void threads_msr(int n)
{
	pthread_t t[16];
	int i;

	if (n < 1 || n > 16)
		n = 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, thread_msr, NULL)) {
			printf("pt-worker %s pid=%d FAILED pthread_create\n", scenario, getpid());
			exit(1);
		}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void fifo_io(const char *path, int writing)
{
	char c = 'x';
	int fd = open(path, writing ? O_WRONLY : O_RDONLY);

	if (fd < 0 || (writing ? write(fd, &c, 1) : read(fd, &c, 1)) < 0) {
		printf("pt-worker %s pid=%d FAILED fifo %s: %s\n", scenario, getpid(), path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static void step(const char *s)
{
	if (!strncmp(s, "bind:", 5)) {
		char cmd[64];
		int err;

		snprintf(cmd, sizeof(cmd), "bind %s", s + 5);
		err = ctl(cmd);
		printf("pt-worker %s pid=%d bind dev=%s err=%d\n", scenario, getpid(), s + 5, err);
	} else if (!strncmp(s, "threads-msr:", 12)) {
		threads_msr(atoi(s + 12));
	} else if (!strncmp(s, "wait:", 5)) {
		fifo_io(s + 5, 0);
	} else if (!strncmp(s, "signal:", 7)) {
		fifo_io(s + 7, 1);
	} else if (!strncmp(s, "sleep:", 6)) {
		struct timespec ts = {atoi(s + 6) / 1000, (atoi(s + 6) % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	} else {
		/* free-early and leak: the PASID they act on; alloc and msr: the one they leave. */
		int pasid = mm_pasid();

		must(s);
		if (!strcmp(s, "alloc") || !strcmp(s, "msr"))
			pasid = mm_pasid();
		printf("pt-worker %s pid=%d %s tid=%ld pasid=%d\n", scenario, getpid(), s, (long)syscall(SYS_gettid),
		       pasid);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: pt_worker SCENARIO STEP...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	scenario = argv[1];
	/* A partner that died leaves a FIFO step blocked: end instead of
	 * holding the guest until the host's timeout. */
	alarm(60);
	printf("pt-worker %s pid=%d start\n", scenario, getpid());
	for (i = 2; i < argc; i++)
		step(argv[i]);
	printf("pt-worker %s pid=%d done\n", scenario, getpid());
	return 0;
}
