// The C baseline ring: a single-producer single-consumer ring of 24-byte samples with the same
// design as Sources/Ingest/SampleRing.swift (power-of-two capacity, storage aligned to a cache
// line, monotonic head/tail on separate cache lines, each side caching the other's index, whole
// frames pushed or dropped, batch pop with memcpy). Shared by c_ring.c (the `ring` section's two-thread baseline) and
// Benchmarks/micro's CRingBaseline target (the one-thread baseline measured by the framework).
#ifndef RIGLOG_BENCH_C_RING_H
#define RIGLOG_BENCH_C_RING_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

// `bytes` at a 64-byte boundary, as SampleRing allocates its storage: a frame of 8 samples is
// 192 bytes, three cache lines, so every frame starts on a line and memcpy never splits one.
// Where malloc happens to put a buffer (16 or 32 bytes past a line) moved the one-thread loop by
// up to 1.9x (13.4 vs 25.7 us per 8,192 samples), more than any difference in the code.
static inline void *cache_aligned(size_t bytes) {
    void *p = NULL;
    return posix_memalign(&p, 64, bytes) == 0 ? p : NULL;
}

static inline int push_frame(ring_t *r, const sample_t *frame, long n) {
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

static inline long pop(ring_t *r, sample_t *out, long max) {
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

// One thread pushes `frames` frames of `frame_size` and pops each again into `out` (room for
// `out_capacity` samples), stamping frame[0].time with the frame's number as it goes: the loop of
// the micro-benchmark `SampleRing push(frame:) + pop ... one thread`. Returns the sum of the last
// payload popped each time (a checksum the compiler cannot drop); adds the samples to *consumed.
static inline uint64_t same_thread_frames(ring_t *r, sample_t *frame, long frame_size, long frames, sample_t *out,
                                          long out_capacity, long *consumed) {
    uint64_t checksum = 0;
    for (long i = 0; i < frames; i++) {
        frame[0].time = i;
        push_frame(r, frame, frame_size);
        long n = pop(r, out, out_capacity);
        checksum += out[n - 1].payload;
        *consumed += n;
    }
    return checksum;
}

#endif
