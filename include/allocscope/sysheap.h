/*
 * sysheap.h - the system heap (malloc) behind the allocscope interface.
 *
 * Zig's c_allocator: aligned allocation from malloc, resize in place within
 * the usable size malloc reports, remap through realloc when the alignment
 * allows it. It owns no region that can be drawn, so its inspection is
 * empty. It is the default backing allocator of arenas and pools.
 */
#ifndef ALLOCSCOPE_SYSHEAP_H
#define ALLOCSCOPE_SYSHEAP_H

#include "allocscope/allocator.h"

as_allocator sysheap_allocator(void);
as_instance sysheap_instance(void);
extern const as_probe sysheap_probe;

#endif
