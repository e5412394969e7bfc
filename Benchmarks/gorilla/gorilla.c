/*
 * A reference Gorilla encoder: the anchor for riglog's bytes per sample (Benchmarks/gorilla/README.md).
 *
 * Written here from the paper, not from riglog's code: T. Pelkonen et al., "Gorilla: A Fast,
 * Scalable, In-Memory Time Series Database", VLDB 2015, section 4.1 ("Time series compression").
 * One series is one block, one bit stream in which each sample's timestamp and value follow
 * each other, as in the paper's figure 2:
 *
 *   header   the first timestamp, 64 bits (the paper aligns a block to a two-hour window and
 *            keeps the first timestamp as a 14-bit delta from it; riglog keeps microseconds,
 *            whose deltas need more than 14 bits, so the first timestamp is written whole and
 *            the first delta is coded as a delta-of-delta against 0, with the buckets below)
 *   time     D = (t_n - t_n-1) - (t_n-1 - t_n-2):
 *              D == 0                 '0'
 *              D in [-63, 64]         '10'   + 7 bits
 *              D in [-255, 256]       '110'  + 9 bits
 *              D in [-2047, 2048]     '1110' + 12 bits
 *              otherwise              '1111' + 32 bits
 *   value    the first value's 64 bits whole; then X = value XOR previous value:
 *              X == 0                 '0'
 *              X's meaningful bits lie within the previous leading/trailing-zero window:
 *                                     '10' + the window's bits of X
 *              otherwise              '11' + 5 bits leading zeros (at most 31)
 *                                          + 6 bits meaningful length (64 written as 0)
 *                                          + the meaningful bits
 *
 * Timestamps are whole microseconds (floor of ns / 1000), the resolution riglog's chunks keep,
 * so both encoders see the same information. Every series is decoded again after each encode
 * and compared exactly (time, and the value's 64 bits), so the figure is of a working codec.
 *
 * Input: files of little-endian 16-byte records (time ns int64, value f64), one series per file,
 * as `riglog-bench gorilla DIR` writes them.
 *
 * Usage: gorilla ROUNDS FILE...   -> one line of JSON on standard output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- bits ---------------------------------------------------------------------------- */

typedef struct {
    uint8_t *buf;
    size_t nbytes;
    uint64_t acc;  /* pending bits, the newest in the low end */
    int nacc;      /* how many of them: < 8 between calls */
} bit_writer;

/* Appends the low n bits of v, most significant first; n <= 32. */
static inline void put(bit_writer *w, uint64_t v, int n) {
    w->acc = (w->acc << n) | (v & ((1ULL << n) - 1));
    w->nacc += n;
    while (w->nacc >= 8) {
        w->nacc -= 8;
        w->buf[w->nbytes++] = (uint8_t)(w->acc >> w->nacc);
    }
}

static inline void put64(bit_writer *w, uint64_t v, int n) { /* n <= 64 */
    if (n > 32) {
        put(w, v >> 32, n - 32);
        put(w, v, 32);
    } else {
        put(w, v, n);
    }
}

static void finish(bit_writer *w) {
    if (w->nacc > 0) put(w, 0, 8 - w->nacc);
}

typedef struct {
    const uint8_t *buf;
    size_t pos, len;
    uint64_t acc;
    int nacc;
} bit_reader;

static inline uint64_t get(bit_reader *r, int n) { /* n <= 32 */
    while (r->nacc < n) {
        if (r->pos >= r->len) {
            fprintf(stderr, "gorilla: decoder ran past the end of a block\n");
            exit(2);
        }
        r->acc = (r->acc << 8) | r->buf[r->pos++];
        r->nacc += 8;
    }
    r->nacc -= n;
    return (r->acc >> r->nacc) & ((1ULL << n) - 1);
}

static inline uint64_t get64(bit_reader *r, int n) {
    if (n > 32) {
        uint64_t high = get(r, n - 32);
        return (high << 32) | get(r, 32);
    }
    return get(r, n);
}

/* ---- the codec ------------------------------------------------------------------------ */

static inline int64_t floor_us(int64_t ns) {
    int64_t q = ns / 1000;
    return (ns % 1000 < 0) ? q - 1 : q;
}

typedef struct {
    uint64_t time_bits, value_bits;
} bit_counts;

static inline void put_dod(bit_writer *w, int64_t d, bit_counts *c) {
    if (d == 0) {
        put(w, 0, 1); c->time_bits += 1;
    } else if (d >= -63 && d <= 64) {
        put(w, 0x2, 2); put(w, (uint64_t)d, 7); c->time_bits += 9;
    } else if (d >= -255 && d <= 256) {
        put(w, 0x6, 3); put(w, (uint64_t)d, 9); c->time_bits += 12;
    } else if (d >= -2047 && d <= 2048) {
        put(w, 0xE, 4); put(w, (uint64_t)d, 12); c->time_bits += 16;
    } else {
        if (d < INT32_MIN || d > INT32_MAX) {
            fprintf(stderr, "gorilla: delta-of-delta %lld does not fit the paper's 32 bits\n", (long long)d);
            exit(2);
        }
        put(w, 0xF, 4); put(w, (uint64_t)d, 32); c->time_bits += 36;
    }
}

/* Sign of an n-bit bucket value in (-2^(n-1), 2^(n-1)]. */
static inline int64_t bucket_value(uint64_t v, int n) {
    int64_t d = (int64_t)v;
    if (d > (1LL << (n - 1))) d -= 1LL << n;
    return d;
}

static inline int64_t get_dod(bit_reader *r) {
    if (get(r, 1) == 0) return 0;
    if (get(r, 1) == 0) return bucket_value(get(r, 7), 7);
    if (get(r, 1) == 0) return bucket_value(get(r, 9), 9);
    if (get(r, 1) == 0) return bucket_value(get(r, 12), 12);
    return (int64_t)(int32_t)(uint32_t)get(r, 32);
}

/* Encodes n samples (times in ns, values as f64 bits) into w. */
static void encode(const int64_t *ns, const uint64_t *bits, size_t n, bit_writer *w, bit_counts *c) {
    if (n == 0) return;
    int64_t t_prev = floor_us(ns[0]);
    put64(w, (uint64_t)t_prev, 64);
    put64(w, bits[0], 64);
    c->time_bits += 64; c->value_bits += 64;
    int64_t delta_prev = 0;
    uint64_t v_prev = bits[0];
    int lead_prev = -1, trail_prev = 0;
    for (size_t i = 1; i < n; i++) {
        int64_t t = floor_us(ns[i]);
        int64_t delta = t - t_prev;
        put_dod(w, delta - delta_prev, c);
        t_prev = t;
        delta_prev = delta;

        uint64_t x = bits[i] ^ v_prev;
        v_prev = bits[i];
        if (x == 0) {
            put(w, 0, 1); c->value_bits += 1;
            continue;
        }
        int lead = __builtin_clzll(x), trail = __builtin_ctzll(x);
        if (lead > 31) lead = 31;  /* 5 bits */
        if (lead_prev >= 0 && lead >= lead_prev && trail >= trail_prev) {
            int m = 64 - lead_prev - trail_prev;
            put(w, 0x2, 2);
            put64(w, x >> trail_prev, m);
            c->value_bits += 2 + m;
        } else {
            int m = 64 - lead - trail;
            put(w, 0x3, 2);
            put(w, (uint64_t)lead, 5);
            put(w, (uint64_t)(m & 63), 6);
            put64(w, x >> trail, m);
            c->value_bits += 13 + m;
            lead_prev = lead;
            trail_prev = trail;
        }
    }
}

static void decode(const uint8_t *block, size_t len, size_t n, int64_t *us, uint64_t *bits) {
    if (n == 0) return;
    bit_reader r = {block, 0, len, 0, 0};
    int64_t t = (int64_t)get64(&r, 64);
    uint64_t v = get64(&r, 64);
    us[0] = t; bits[0] = v;
    int64_t delta = 0;
    int lead = 0, trail = 0;
    for (size_t i = 1; i < n; i++) {
        delta += get_dod(&r);
        t += delta;
        us[i] = t;
        if (get(&r, 1) != 0) {
            if (get(&r, 1) != 0) {
                lead = (int)get(&r, 5);
                int m = (int)get(&r, 6);
                if (m == 0) m = 64;
                trail = 64 - lead - m;
            }
            v ^= get64(&r, 64 - lead - trail) << trail;
        }
        bits[i] = v;
    }
}

/* ---- the program ---------------------------------------------------------------------- */

typedef struct {
    int64_t *ns;
    uint64_t *bits;
    size_t n;
} series;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void load(const char *path, series *s) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0 || size % 16 != 0) { fprintf(stderr, "gorilla: %s is not a file of 16-byte records\n", path); exit(1); }
    s->n = (size_t)size / 16;
    s->ns = malloc(s->n * sizeof(int64_t));
    s->bits = malloc(s->n * sizeof(uint64_t));
    uint8_t record[16];
    for (size_t i = 0; i < s->n; i++) {
        if (fread(record, 1, 16, f) != 16) { fprintf(stderr, "gorilla: short read of %s\n", path); exit(1); }
        int64_t t = 0; uint64_t v = 0;
        for (int b = 7; b >= 0; b--) {  /* little-endian, whatever this machine is */
            t = (int64_t)(((uint64_t)t << 8) | record[b]);
            v = (v << 8) | record[8 + b];
        }
        s->ns[i] = t;
        s->bits[i] = v;
    }
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: gorilla ROUNDS FILE...\n");
        return 1;
    }
    int rounds = atoi(argv[1]);
    if (rounds < 1) rounds = 1;
    int count = argc - 2;
    series *all = calloc((size_t)count, sizeof(series));
    size_t samples = 0, longest = 0;
    for (int i = 0; i < count; i++) {
        load(argv[2 + i], &all[i]);
        samples += all[i].n;
        if (all[i].n > longest) longest = all[i].n;
    }
    /* Worst case per sample: 36 time bits + 13 + 64 value bits; plus a header. */
    uint8_t **blocks = calloc((size_t)count, sizeof(uint8_t *));
    size_t *lengths = calloc((size_t)count, sizeof(size_t));
    for (int i = 0; i < count; i++) blocks[i] = malloc(all[i].n * 15 + 32);
    int64_t *us = malloc(longest * sizeof(int64_t));
    uint64_t *bits = malloc(longest * sizeof(uint64_t));

    double *encode_rates = calloc((size_t)rounds, sizeof(double));
    double *decode_rates = calloc((size_t)rounds, sizeof(double));
    size_t total_bytes = 0;
    bit_counts counts = {0, 0};
    for (int round = -1; round < rounds; round++) {  /* round -1 warms caches and pages up, untimed */
        bit_counts c = {0, 0};
        size_t bytes = 0;
        double start = now_seconds();
        for (int i = 0; i < count; i++) {
            bit_writer w = {blocks[i], 0, 0, 0};
            encode(all[i].ns, all[i].bits, all[i].n, &w, &c);
            finish(&w);
            lengths[i] = w.nbytes;
            bytes += w.nbytes;
        }
        double encoded = now_seconds();
        if (round >= 0) encode_rates[round] = samples / (encoded - start);
        double decode_time = 0;
        for (int i = 0; i < count; i++) {
            double d0 = now_seconds();
            decode(blocks[i], lengths[i], all[i].n, us, bits);
            decode_time += now_seconds() - d0;
            for (size_t k = 0; k < all[i].n; k++) {  /* the round trip is exact, or no figure */
                if (us[k] != floor_us(all[i].ns[k]) || bits[k] != all[i].bits[k]) {
                    fprintf(stderr, "gorilla: round trip differs in %s at sample %zu\n", argv[2 + i], k);
                    return 2;
                }
            }
        }
        if (round >= 0) decode_rates[round] = samples / decode_time;
        total_bytes = bytes;
        counts = c;
    }
    qsort(encode_rates, (size_t)rounds, sizeof(double), cmp_double);
    qsort(decode_rates, (size_t)rounds, sizeof(double), cmp_double);
    printf("{\"series\": %d, \"samples\": %zu, \"bytes\": %zu, \"bytes_per_sample\": %.6f, "
           "\"time_bits_per_sample\": %.4f, \"value_bits_per_sample\": %.4f, \"rounds\": %d, "
           "\"encode_samples_per_second\": %.0f, \"decode_samples_per_second\": %.0f, \"round_trip\": \"exact\"}\n",
           count, samples, total_bytes, (double)total_bytes / samples, (double)counts.time_bits / samples,
           (double)counts.value_bits / samples, rounds, encode_rates[rounds / 2], decode_rates[rounds / 2]);
    return 0;
}
