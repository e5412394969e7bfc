// The C ring of Benchmarks/ring/c_ring.h, for the micro-benchmark that measures it beside
// SampleRing inside ordo-one/benchmark (same framework, same process, same loop).
#ifndef RIGLOG_C_RING_BASELINE_H
#define RIGLOG_C_RING_BASELINE_H

#include <stdint.h>

typedef struct c_ring_baseline c_ring_baseline;

/// A ring of `capacity` samples (a power of two), a frame of `frame_size` samples (payloads
/// 0..<frame_size) and a pop buffer of `capacity` samples. Allocated here, once.
c_ring_baseline *c_ring_baseline_create(long capacity, long frame_size);

/// One operation: `frames` times, push the frame and pop it again. Returns a checksum.
uint64_t c_ring_baseline_run(c_ring_baseline *baseline, long frames);

#endif
