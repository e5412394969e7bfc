// The C baseline for `riglog-bench ring`: the ring of c_ring.h (the same design as
// Sources/Ingest/SampleRing.swift), a producer thread and a consumer thread. Built with gcc -O2
// by build.sh.
//
//     c_ring TOTAL_SAMPLES FRAME_SIZE CAPACITY [same-thread]
//
// Prints: c_ring samples=... seconds=... samples_per_second=... refused=... checksum=...
//
// `same-thread` pushes a frame and pops it again on one thread: the ring's own cost per sample,
// without the cache-line traffic between a producer and a consumer core. (The micro section
// measures this loop inside ordo-one/benchmark instead, beside SampleRing: Benchmarks/micro.)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c_ring.h"

static ring_t ring;
static long total, frame_size;
static _Atomic int producer_done;

static void *producer(void *arg) {
    (void)arg;
    sample_t *frame = calloc(frame_size, sizeof(sample_t));
    for (long i = 0; i < total; i += frame_size) {
        for (long j = 0; j < frame_size; j++) {
            frame[j].time = i;
            frame[j].payload = (uint64_t)(i + j);
            frame[j].channel = (uint32_t)j;
        }
        // The benchmark measures throughput without loss: a refused frame is pushed again (each
        // refusal still counts in `dropped`, reported as refused samples).
        while (!push_frame(&ring, frame, frame_size)) {
        }
    }
    atomic_store_explicit(&producer_done, 1, memory_order_release);
    free(frame);
    return NULL;
}

static int same_thread(long capacity) {
    sample_t *frame = calloc(frame_size, sizeof(sample_t));
    sample_t *out = malloc(capacity * sizeof(sample_t));
    for (long j = 0; j < frame_size; j++) {
        frame[j].payload = (uint64_t)j;
        frame[j].channel = (uint32_t)j;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long consumed = 0;
    uint64_t checksum = same_thread_frames(&ring, frame, frame_size, total / frame_size, out, capacity, &consumed);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("c_ring samples=%ld seconds=%.4f samples_per_second=%.0f refused=%ld checksum=%llu\n", consumed, seconds,
           consumed / seconds, atomic_load(&ring.dropped), (unsigned long long)checksum);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4 && !(argc == 5 && strcmp(argv[4], "same-thread") == 0)) {
        fprintf(stderr, "usage: c_ring TOTAL FRAME CAPACITY [same-thread]\n");
        return 2;
    }
    total = atol(argv[1]);
    frame_size = atol(argv[2]);
    long capacity = atol(argv[3]);
    ring.capacity = capacity;
    ring.mask = capacity - 1;
    ring.storage = cache_aligned(capacity * sizeof(sample_t));
    if (argc == 5) return same_thread(capacity);
    sample_t *out = malloc(capacity * sizeof(sample_t));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pthread_t thread;
    pthread_create(&thread, NULL, producer, NULL);
    long consumed = 0;
    uint64_t checksum = 0;
    for (;;) {
        int done = atomic_load_explicit(&producer_done, memory_order_acquire);
        long n = pop(&ring, out, capacity);
        for (long k = 0; k < n; k++) checksum += out[k].payload;
        consumed += n;
        if (n == 0 && done) break;
    }
    pthread_join(thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("c_ring samples=%ld seconds=%.4f samples_per_second=%.0f refused=%ld checksum=%llu\n", consumed, seconds,
           consumed / seconds, atomic_load(&ring.dropped), (unsigned long long)checksum);
    return 0;
}
