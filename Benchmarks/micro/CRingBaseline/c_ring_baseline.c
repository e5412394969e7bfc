// Compiled by SwiftPM's release build (clang -O2), as the gcc -O2 c_ring is by build.sh.
#include "c_ring_baseline.h"

#include <string.h>

#include "../../ring/c_ring.h"

struct c_ring_baseline {
    ring_t ring;
    sample_t *frame;
    long frame_size;
    sample_t *out;
};

c_ring_baseline *c_ring_baseline_create(long capacity, long frame_size) {
    c_ring_baseline *b = calloc(1, sizeof(c_ring_baseline));
    b->ring.capacity = capacity;
    b->ring.mask = capacity - 1;
    b->ring.storage = cache_aligned(capacity * sizeof(sample_t));
    b->frame = cache_aligned(frame_size * sizeof(sample_t));
    memset(b->frame, 0, frame_size * sizeof(sample_t));
    for (long j = 0; j < frame_size; j++) {
        b->frame[j].payload = (uint64_t)j;
        b->frame[j].channel = (uint32_t)j;
    }
    b->frame_size = frame_size;
    b->out = cache_aligned(capacity * sizeof(sample_t));
    return b;
}

uint64_t c_ring_baseline_run(c_ring_baseline *b, long frames) {
    long consumed = 0;
    return same_thread_frames(&b->ring, b->frame, b->frame_size, frames, b->out, b->ring.capacity, &consumed);
}
