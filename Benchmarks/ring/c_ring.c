// The C baseline for `riglog-bench ring`: a single-producer single-consumer ring of 24-byte
// samples with the same design as Sources/Ingest/SampleRing.swift (power-of-two capacity,
// monotonic head/tail on separate cache lines, each side caching the other's index, whole
// frames pushed or dropped, batch pop with memcpy). Built with gcc -O2 by build.sh.
//
//     c_ring TOTAL_SAMPLES FRAME_SIZE CAPACITY [same-thread]
//
// Prints: c_ring samples=... seconds=... samples_per_second=... refused=... checksum=...
//
// `same-thread` pushes a frame and pops it again on one thread (the baseline of the micro
// benchmark `SampleRing push(frame:) + pop ... one thread`): the ring's own cost per sample,
// without the cache-line traffic between a producer and a consumer core.
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int64_t time;
    uint64_t payload;
    uint32_t channel;
    uint8_t kind;
} sample_t;

typedef struct {
    char pad0[128];
    _Atomic long head;
    long producer_cached_tail;
    _Atomic long dropped;
    char pad1[128];
    _Atomic long tail;
    long consumer_cached_head;
    char pad2[128];
    sample_t *storage;
    long mask;
    long capacity;
} ring_t;

static int push_frame(ring_t *r, const sample_t *frame, long n) {
    long h = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (r->capacity - (h - r->producer_cached_tail) < n) {
        r->producer_cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (r->capacity - (h - r->producer_cached_tail) < n) {
            atomic_fetch_add_explicit(&r->dropped, n, memory_order_relaxed);
            return 0;
        }
    }
    long start = h & r->mask;
    long first = n < r->capacity - start ? n : r->capacity - start;
    memcpy(r->storage + start, frame, first * sizeof(sample_t));
    if (first < n) memcpy(r->storage, frame + first, (n - first) * sizeof(sample_t));
    atomic_store_explicit(&r->head, h + n, memory_order_release);
    return 1;
}

static long pop(ring_t *r, sample_t *out, long max) {
    long t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    long available = r->consumer_cached_head - t;
    if (available <= 0) {
        r->consumer_cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
        available = r->consumer_cached_head - t;
        if (available <= 0) return 0;
    }
    long n = available < max ? available : max;
    long start = t & r->mask;
    long first = n < r->capacity - start ? n : r->capacity - start;
    memcpy(out, r->storage + start, first * sizeof(sample_t));
    if (first < n) memcpy(out + first, r->storage, (n - first) * sizeof(sample_t));
    atomic_store_explicit(&r->tail, t + n, memory_order_release);
    return n;
}

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
    uint64_t checksum = 0;
    for (long i = 0; i < total; i += frame_size) {
        frame[0].time = i;
        push_frame(&ring, frame, frame_size);
        long n = pop(&ring, out, capacity);
        checksum += out[n - 1].payload;
        consumed += n;
    }
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
    ring.storage = malloc(capacity * sizeof(sample_t));
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
