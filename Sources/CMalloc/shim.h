#ifndef RIGLOG_CMALLOC_SHIM_H
#define RIGLOG_CMALLOC_SHIM_H
// glibc's malloc tuning (mallopt), which Swift's Glibc module leaves out.
#include <malloc.h>

static const int riglog_malloc_arena_max = M_ARENA_MAX;
#endif
