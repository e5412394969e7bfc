/* Baseline: the plainest libmodbus read loop, the floor for a Modbus transaction's cost.
 *
 * Usage: c_read_loop PORT TRANSACTIONS COUNT
 * Reads COUNT holding registers from unit 1 at 127.0.0.1:PORT, TRANSACTIONS times, and prints
 * one JSON line with wall and CPU (this thread's, CLOCK_THREAD_CPUTIME_ID) time. */
#define _GNU_SOURCE
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s PORT TRANSACTIONS COUNT\n", argv[0]); return 2; }
    int port = atoi(argv[1]), n = atoi(argv[2]), count = atoi(argv[3]);
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_set_slave(ctx, 1);
    if (modbus_connect(ctx) == -1) { fprintf(stderr, "connect: %s\n", modbus_strerror(errno)); return 1; }
    uint16_t regs[125];
    unsigned long long checksum = 0;
    long long c0 = cpu_ns(), t0 = now_ns();
    for (int i = 0; i < n; i++) {
        if (modbus_read_registers(ctx, 0, count, regs) != count) {
            fprintf(stderr, "read: %s\n", modbus_strerror(errno));
            return 1;
        }
        checksum += regs[count - 1];
    }
    long long t1 = now_ns(), c1 = cpu_ns();
    printf("{\"transactions\": %d, \"wall_ns\": %lld, \"cpu_ns\": %lld, \"checksum\": %llu}\n",
           n, t1 - t0, c1 - c0, checksum);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
