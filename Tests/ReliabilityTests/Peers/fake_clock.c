// A wall clock the clock-step test moves: preloaded into `riglog collect` (LD_PRELOAD), it adds
// an offset to CLOCK_REALTIME (and gettimeofday, time), read from the 8-byte file named by
// RIGLOG_FAKE_CLOCK_FILE, mapped shared so the test's writes show at once. The monotonic clocks
// are left alone, as a real clock step (NTP, a technician's `date -s`) leaves them.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int64_t *offset_ns;
static int (*real_clock_gettime)(clockid_t, struct timespec *);

static void setup(void) {
    if (real_clock_gettime) return;
    real_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    const char *path = getenv("RIGLOG_FAKE_CLOCK_FILE");
    if (!path) return;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    void *map = mmap(NULL, sizeof(int64_t), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map != MAP_FAILED) offset_ns = (volatile int64_t *)map;
}

static void shift(struct timespec *ts) {
    if (!offset_ns) return;
    int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + __atomic_load_n(offset_ns, __ATOMIC_RELAXED);
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    setup();
    int rc = real_clock_gettime(clock, ts);
    if (rc == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
    return rc;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    (void)tz;
    struct timespec ts;
    int rc = clock_gettime(CLOCK_REALTIME, &ts);
    if (rc == 0) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return rc;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
