/* Baseline for the lab rows: plain C libmodbus pollers, a thread per rig.
 *
 * Usage: c_lab_poller SPEC SECONDS
 * SPEC has one rig per line: HOST PORT UNIT PAUSE_MS REQUEST...
 * and each REQUEST is KIND:ADDRESS:COUNT:PERIOD_US:PHASE_US, KIND one of coil, discrete,
 * holding, input (run.py writes it from `riglog devices plan PROFILE --poll 10ms`, so each rig
 * sends the same requests at the same rates and phases as riglog's collector).
 *
 * Each rig gets one thread and one TCP connection. After connecting and the device's pause,
 * it polls each request on absolute deadlines (origin + phase + k * period, clock_nanosleep
 * TIMER_ABSTIME on CLOCK_MONOTONIC, all rigs on one grid), soonest deadline first. A poll that
 * finishes after later slots have passed skips them (counted, never made up in a burst), as
 * riglog's PollSchedule does. Lateness is the poll's start against its deadline. Runs until
 * SECONDS after start, then prints one JSON line: polls, skipped, errors, the share of polls
 * started within the 10 ms period (skipped slots count as not within) and within 2 ms, p99
 * lateness, process CPU (getrusage RUSAGE_SELF, user + sys), wall time, CPU per transaction
 * and peak RSS (VmHWM). */
#define _GNU_SOURCE
#include <modbus.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define PERIOD_NS 10000000LL   /* the rigs' poll period: "within the period" means lateness < 10 ms */
#define WITHIN_NS 2000000LL
#define BUCKET_NS 50000LL      /* lateness histogram: 50 µs buckets up to 50 ms, then one overflow */
#define BUCKETS 1001
#define MAX_REQUESTS 16
#define MAX_RIGS 256

enum kind { COIL, DISCRETE, HOLDING, INPUT };

struct request {
    enum kind kind;
    int address, count;
    long long period, phase, slot, deadline;
};

struct rig {
    char host[64];
    int port, unit, n;
    long long pause;
    struct request requests[MAX_REQUESTS];
    /* results, written by the rig's thread only */
    long long polls, skipped, errors, within_period, within_2ms;
    long long histogram[BUCKETS];
    int failed;
};

static long long origin, end;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Peak RSS of this program (VmHWM): ru_maxrss would also count the parent's RSS at fork, since
 * Linux keeps the larger of it across execve, which for a small C program is the whole figure. */
static double peak_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb / 1024.0;
}

static void sleep_until(long long t) {
    struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

/* The last slot of `r` whose deadline is at or before `t`. */
static long long slot_containing(const struct request *r, long long t) {
    long long elapsed = t - origin - r->phase;
    return elapsed < 0 ? 0 : elapsed / r->period;
}

static void move_to(struct request *r, long long slot) {
    r->slot = slot;
    r->deadline = origin + r->phase + r->period * slot;
}

static int read_block(modbus_t *ctx, const struct request *r, uint16_t *registers, uint8_t *bits) {
    switch (r->kind) {
    case COIL: return modbus_read_bits(ctx, r->address, r->count, bits);
    case DISCRETE: return modbus_read_input_bits(ctx, r->address, r->count, bits);
    case HOLDING: return modbus_read_registers(ctx, r->address, r->count, registers);
    default: return modbus_read_input_registers(ctx, r->address, r->count, registers);
    }
}

static void *poll_rig(void *arg) {
    struct rig *rig = arg;
    uint16_t registers[125];
    uint8_t bits[2000];
    modbus_t *ctx = modbus_new_tcp(rig->host, rig->port);
    modbus_set_slave(ctx, rig->unit);
    if (modbus_connect(ctx) == -1) {
        fprintf(stderr, "%s:%d: connect: %s\n", rig->host, rig->port, modbus_strerror(errno));
        rig->failed = 1;
        modbus_free(ctx);
        return NULL;
    }
    /* Slots that pass while connecting and pausing are not wanted, so not skipped. */
    long long start = now_ns() + rig->pause;
    sleep_until(start);
    for (int i = 0; i < rig->n; i++) {
        struct request *r = &rig->requests[i];
        move_to(r, slot_containing(r, start) + 1);
    }
    for (;;) {
        struct request *r = &rig->requests[0];
        for (int i = 1; i < rig->n; i++)
            if (rig->requests[i].deadline < r->deadline) r = &rig->requests[i];
        if (r->deadline >= end) break;
        sleep_until(r->deadline);
        long long lateness = now_ns() - r->deadline;
        if (lateness < 0) lateness = 0;
        rig->polls++;
        rig->within_period += lateness < PERIOD_NS;
        rig->within_2ms += lateness <= WITHIN_NS;
        rig->histogram[lateness / BUCKET_NS < BUCKETS - 1 ? lateness / BUCKET_NS : BUCKETS - 1]++;
        if (read_block(ctx, r, registers, bits) != r->count) {
            rig->errors++;
            modbus_flush(ctx);
        }
        long long next = r->slot + 1, latest = slot_containing(r, now_ns());
        if (latest > next) {
            rig->skipped += latest - next;
            move_to(r, latest);
        } else {
            move_to(r, next);
        }
    }
    modbus_close(ctx);
    modbus_free(ctx);
    return NULL;
}

static int parse_kind(const char *s, enum kind *kind) {
    if (!strcmp(s, "coil")) *kind = COIL;
    else if (!strcmp(s, "discrete")) *kind = DISCRETE;
    else if (!strcmp(s, "holding")) *kind = HOLDING;
    else if (!strcmp(s, "input")) *kind = INPUT;
    else return -1;
    return 0;
}

/* Reads SPEC into rigs; returns how many, or -1 with the reason on stderr. */
static int read_spec(const char *path, struct rig *rigs) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *field = strtok_r(line, " \t\n", &save);
        if (!field || field[0] == '#') continue;
        if (n == MAX_RIGS) { fprintf(stderr, "%s: more than %d rigs\n", path, MAX_RIGS); fclose(f); return -1; }
        struct rig *rig = &rigs[n];
        snprintf(rig->host, sizeof rig->host, "%s", field);
        char *port = strtok_r(NULL, " \t\n", &save), *unit = strtok_r(NULL, " \t\n", &save),
             *pause = strtok_r(NULL, " \t\n", &save);
        if (!port || !unit || !pause) { fprintf(stderr, "%s: rig %d: expected HOST PORT UNIT PAUSE_MS\n", path, n + 1); fclose(f); return -1; }
        rig->port = atoi(port);
        rig->unit = atoi(unit);
        rig->pause = atoll(pause) * 1000000LL;
        while ((field = strtok_r(NULL, " \t\n", &save))) {
            char kind[16];
            long long period_us, phase_us;
            struct request *r = &rig->requests[rig->n];
            if (rig->n == MAX_REQUESTS ||
                sscanf(field, "%15[a-z]:%d:%d:%lld:%lld", kind, &r->address, &r->count, &period_us, &phase_us) != 5 ||
                parse_kind(kind, &r->kind) || r->count < 1 || r->count > (r->kind >= HOLDING ? 125 : 2000) || period_us <= 0) {
                fprintf(stderr, "%s: rig %d: bad request %s (KIND:ADDRESS:COUNT:PERIOD_US:PHASE_US)\n", path, n + 1, field);
                fclose(f);
                return -1;
            }
            r->period = period_us * 1000;
            r->phase = phase_us * 1000;
            rig->n++;
        }
        if (rig->n == 0) { fprintf(stderr, "%s: rig %d has no requests\n", path, n + 1); fclose(f); return -1; }
        n++;
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s SPEC SECONDS\n", argv[0]); return 2; }
    static struct rig rigs[MAX_RIGS];
    int n = read_spec(argv[1], rigs);
    double seconds = atof(argv[2]);
    if (n <= 0 || seconds <= 0) { if (n == 0) fprintf(stderr, "%s: no rigs\n", argv[1]); return 2; }
    origin = now_ns();
    end = origin + (long long)(seconds * 1e9);
    pthread_t threads[MAX_RIGS];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&threads[i], &attr, poll_rig, &rigs[i])) { perror("pthread_create"); return 1; }
    }
    long long polls = 0, skipped = 0, errors = 0, within_period = 0, within_2ms = 0, histogram[BUCKETS] = {0};
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        polls += rigs[i].polls;
        skipped += rigs[i].skipped;
        errors += rigs[i].errors;
        within_period += rigs[i].within_period;
        within_2ms += rigs[i].within_2ms;
        failed += rigs[i].failed;
        for (int b = 0; b < BUCKETS; b++) histogram[b] += rigs[i].histogram[b];
    }
    double wall = (now_ns() - origin) / 1e9;
    if (failed) { fprintf(stderr, "%d of %d rigs could not connect\n", failed, n); return 1; }
    long long seen = 0, rank = (polls * 99 + 99) / 100;
    int p99 = 0;
    while (p99 < BUCKETS - 1 && (seen += histogram[p99]) < rank) p99++;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    printf("{\"rigs\": %d, \"polls\": %lld, \"skipped\": %lld, \"errors\": %lld, \"within_period_pct\": %.3f, "
           "\"within_2ms_pct\": %.3f, \"p99_lateness_ms\": %.2f, \"cpu_seconds\": %.3f, \"wall_seconds\": %.3f, "
           "\"cpu_per_tx_us\": %.3f, \"max_rss_mb\": %.2f}\n",
           n, polls, skipped, errors, polls ? 100.0 * within_period / (polls + skipped) : 0.0,
           polls ? 100.0 * within_2ms / polls : 0.0, (p99 + 1) * BUCKET_NS / 1e6, cpu, wall,
           polls ? cpu / polls * 1e6 : 0.0, peak_rss_mb());
    return 0;
}
